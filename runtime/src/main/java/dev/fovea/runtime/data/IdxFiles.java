package dev.fovea.runtime.data;

import dev.fovea.runtime.Shape;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The IDX format of MNIST and Fashion-MNIST, plain or gzipped: a magic number (two zero bytes, the
 * type 0x08 for unsigned bytes, the number of dimensions), the dimensions as big-endian ints, then the
 * values. Images are N x H x W (one channel); labels are N.
 */
public final class IdxFiles {
    private static final int UNSIGNED_BYTE = 0x08;

    private IdxFiles() {}

    /** The set in a folder named as the MNIST distribution names it ({@code train} or {@code t10k}). */
    public static Dataset read(Path dir, String split, List<String> classNames) {
        Path images = DataFiles.find(dir, split + " images", split + "-images-idx3-ubyte.gz", split + "-images-idx3-ubyte",
                split + "-images.idx3-ubyte");
        Path labels = DataFiles.find(dir, split + " labels", split + "-labels-idx1-ubyte.gz", split + "-labels-idx1-ubyte",
                split + "-labels.idx1-ubyte");
        return read(images, labels, classNames);
    }

    /** {@code classNames} null names the classes by number, as many as the largest label needs. */
    public static Dataset read(Path imagesFile, Path labelsFile, List<String> classNames) {
        Idx images = parse(imagesFile, 3);
        Idx labels = parse(labelsFile, 1);
        if (images.dims[0] != labels.dims[0]) {
            throw new DataException(labelsFile + ": " + labels.dims[0] + " labels for the " + images.dims[0] + " images of " + imagesFile);
        }
        int[] values = new int[labels.dims[0]];
        int max = -1;
        for (int i = 0; i < values.length; i++) {
            values[i] = labels.data[labels.offset + i] & 0xff;
            max = Math.max(max, values[i]);
        }
        List<String> names = classNames;
        if (names == null) {
            names = new ArrayList<>();
            for (int c = 0; c <= max; c++) {
                names.add(Integer.toString(c));
            }
        } else if (max >= names.size()) {
            throw new DataException(labelsFile + ": label " + max + " is out of range; the set has " + names.size() + " classes");
        }
        int h = images.dims[1];
        int w = images.dims[2];
        byte[] pixels = java.util.Arrays.copyOfRange(images.data, images.offset, images.offset + images.dims[0] * h * w);
        return new ByteImages(imagesFile.toString(), pixels, values, Shape.of(1, h, w), names);
    }

    private record Idx(byte[] data, int offset, int[] dims) {}

    private static Idx parse(Path file, int rank) {
        byte[] data = DataFiles.readMaybeGzipped(file);
        if (data.length < 4) {
            throw new DataException(file + ": too short for an IDX file (" + data.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        int magic = b.getInt();
        if ((magic >>> 16) != 0 || ((magic >> 8) & 0xff) != UNSIGNED_BYTE) {
            throw new DataException(String.format(java.util.Locale.ROOT,
                    "%s: not an IDX file of unsigned bytes (magic 0x%08X; expected 0x000008%02X)", file, magic, rank));
        }
        if ((magic & 0xff) != rank) {
            throw new DataException(file + ": an IDX file of " + (magic & 0xff) + " dimensions; expected " + rank
                    + (rank == 3 ? " (images: count, height, width)" : " (labels: count)"));
        }
        if (data.length < 4 + 4 * rank) {
            throw new DataException(file + ": truncated in the header");
        }
        int[] dims = new int[rank];
        long elements = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = b.getInt();
            if (dims[i] < 0 || (i > 0 && dims[i] == 0)) {
                throw new DataException(file + ": dimension " + i + " is " + dims[i]);
            }
            elements *= dims[i];
        }
        long expected = 4L + 4L * rank + elements;
        if (data.length < expected) {
            throw new DataException(file + ": truncated: the header promises " + elements + " values, the file holds "
                    + (data.length - 4 - 4 * rank));
        }
        if (data.length > expected) {
            throw new DataException(file + ": " + (data.length - expected) + " bytes after the " + elements + " values the header promises");
        }
        return new Idx(data, 4 + 4 * rank, dims);
    }
}
