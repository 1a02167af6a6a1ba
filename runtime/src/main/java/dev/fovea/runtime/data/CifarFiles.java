package dev.fovea.runtime.data;

import dev.fovea.runtime.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 and CIFAR-100 in their binary version: records of the label byte(s) then 3 x 32 x 32 pixel
 * bytes, red plane first. CIFAR-100 records hold the coarse label, then the fine one (used here).
 */
public final class CifarFiles {
    private static final Shape SHAPE = Shape.of(3, 32, 32);
    private static final int PIXELS = 3 * 32 * 32;

    public enum Variant {
        CIFAR10(1, "batches.meta.txt"),
        CIFAR100(2, "fine_label_names.txt");

        final int labelBytes;
        final String namesFile;

        Variant(int labelBytes, String namesFile) {
            this.labelBytes = labelBytes;
            this.namesFile = namesFile;
        }

        int classes() {
            return this == CIFAR10 ? 10 : 100;
        }
    }

    private CifarFiles() {}

    /** The training or test set of the folder the archive unpacks to ({@code cifar-10-batches-bin}, {@code cifar-100-binary}). */
    public static Dataset read(Path dir, Variant variant, boolean train) {
        List<Path> files = new ArrayList<>();
        if (variant == Variant.CIFAR10) {
            if (train) {
                for (int i = 1; i <= 5; i++) {
                    files.add(DataFiles.find(dir, "training batch " + i, "data_batch_" + i + ".bin"));
                }
            } else {
                files.add(DataFiles.find(dir, "test batch", "test_batch.bin"));
            }
        } else {
            files.add(DataFiles.find(dir, train ? "training" : "test", train ? "train.bin" : "test.bin"));
        }
        return read(files, variant, classNames(dir.resolve(variant.namesFile), variant));
    }

    public static Dataset read(List<Path> files, Variant variant, List<String> classNames) {
        int record = variant.labelBytes + PIXELS;
        List<byte[]> contents = new ArrayList<>();
        int count = 0;
        for (Path f : files) {
            byte[] data = DataFiles.readMaybeGzipped(f);
            if (data.length == 0 || data.length % record != 0) {
                throw new DataException(f + ": " + data.length + " bytes is not a whole number of " + variant + " records of " + record
                        + " bytes" + (data.length % record != 0 && data.length > record ? " (truncated?)" : ""));
            }
            contents.add(data);
            count += data.length / record;
        }
        byte[] pixels = new byte[count * PIXELS];
        int[] labels = new int[count];
        int n = 0;
        for (int f = 0; f < files.size(); f++) {
            byte[] data = contents.get(f);
            for (int at = 0; at < data.length; at += record, n++) {
                int label = data[at + variant.labelBytes - 1] & 0xff;
                if (label >= variant.classes()) {
                    throw new DataException(files.get(f) + ": record " + (at / record) + " has label " + label + "; " + variant
                            + " has " + variant.classes() + " classes");
                }
                labels[n] = label;
                System.arraycopy(data, at + variant.labelBytes, pixels, n * PIXELS, PIXELS);
            }
        }
        String name = files.size() == 1 ? files.getFirst().toString() : files.getFirst().getParent() + " (" + files.size() + " files)";
        return new ByteImages(name, pixels, labels, SHAPE, classNames);
    }

    /** The names file of the archive, or the classes' numbers when it is absent. */
    private static List<String> classNames(Path file, Variant variant) {
        List<String> names = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            try {
                Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(names::add);
            } catch (IOException e) {
                throw new DataException(file + ": cannot read: " + e.getMessage());
            }
        }
        if (names.size() != variant.classes()) {
            names.clear();
            for (int c = 0; c < variant.classes(); c++) {
                names.add(Integer.toString(c));
            }
        }
        return names;
    }
}
