package dev.fovea.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.Shape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every reader reads what was written, and rejects a damaged file with a message naming it and the fault. */
class DataFilesTest {
    @TempDir
    Path dir;

    static byte[] idxImages(int count, int h, int w) {
        ByteBuffer b = ByteBuffer.allocate(16 + count * h * w);
        b.putInt(0x00000803).putInt(count).putInt(h).putInt(w);
        for (int i = 0; i < count * h * w; i++) {
            b.put((byte) (i * 7));
        }
        return b.array();
    }

    static byte[] idxLabels(int... labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(0x00000801).putInt(labels.length);
        for (int l : labels) {
            b.put((byte) l);
        }
        return b.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    @Test
    void idxReadsPlainAndGzippedFilesAlike() throws IOException {
        write("train-images-idx3-ubyte.gz", gzip(idxImages(3, 2, 4)));
        write("train-labels-idx1-ubyte", idxLabels(2, 0, 1));
        Dataset d = IdxFiles.read(dir, "train", null);
        assertEquals(3, d.size());
        assertEquals(Shape.of(1, 2, 4), d.sampleShape());
        assertEquals(List.of("0", "1", "2"), d.classes());
        assertEquals(2, d.label(0));
        float[] x = new float[8];
        d.read(1, x, 0);
        for (int i = 0; i < 8; i++) {
            assertEquals(((8 + i) * 7 & 0xff) / 255f, x[i], 1e-7f);
        }
    }

    @Test
    void aGzipFileOfSeveralMembersReadsWhole() throws IOException {
        // the trailer gives only the last member's size: the reader must not stop there
        byte[] images = idxImages(40, 4, 4);
        byte[] first = gzip(Arrays.copyOf(images, 600));
        byte[] second = gzip(Arrays.copyOfRange(images, 600, images.length));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        Path file = write("members.gz", both);
        assertArrayEquals(images, DataFiles.readMaybeGzipped(file));
        assertArrayEquals(images, DataFiles.readMaybeGzipped(write("one.gz", gzip(images))));
    }

    @Test
    void idxRejectsDamagedFilesNamingThem() throws IOException {
        Path labels = write("labels", idxLabels(1, 2, 3));
        Path truncated = write("truncated", Arrays.copyOf(idxImages(3, 2, 2), 20));
        assertMessage(() -> IdxFiles.read(truncated, labels, null), truncated + ": truncated: the header promises 12 values, the file holds 4");
        byte[] wrongMagic = idxImages(3, 2, 2);
        wrongMagic[2] = 0x0D;
        Path magic = write("magic", wrongMagic);
        assertMessage(() -> IdxFiles.read(magic, labels, null), magic + ": not an IDX file of unsigned bytes (magic 0x00000D03; expected 0x00000803)");
        Path images = write("images", idxImages(2, 2, 2));
        assertMessage(() -> IdxFiles.read(images, labels, null), labels + ": 3 labels for the 2 images of " + images);
        Path badGzip = write("bad.gz", Arrays.copyOf(gzip(idxImages(50, 8, 8)), 40));
        assertMessage(() -> IdxFiles.read(badGzip, labels, null), badGzip + ": the gzip stream is truncated");
        Path three = write("three", idxImages(3, 2, 2));
        assertMessage(() -> IdxFiles.read(three, labels, List.of("a", "b")), labels + ": label 3 is out of range; the set has 2 classes");
        assertMessage(() -> IdxFiles.read(dir.resolve("missing"), labels, null), dir.resolve("missing") + ": no such file");
        assertMessage(() -> IdxFiles.read(dir, "t10k", null), dir + ": no t10k images file (looked for t10k-images-idx3-ubyte.gz, "
                + "t10k-images-idx3-ubyte, t10k-images.idx3-ubyte)");
    }

    @Test
    void cifarReadsRecordsAndRejectsPartialOnes() throws IOException {
        byte[] records = new byte[2 * 3073];
        records[0] = 7;
        records[3073] = 2;
        records[1 + 1024] = (byte) 255; // first sample, green plane, first pixel
        Path file = write("test_batch.bin", records);
        Dataset d = CifarFiles.read(List.of(file), CifarFiles.Variant.CIFAR10, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
        assertEquals(2, d.size());
        assertEquals(7, d.label(0));
        assertEquals(2, d.label(1));
        float[] x = new float[3072];
        d.read(0, x, 0);
        assertEquals(1f, x[1024]);
        assertEquals(0f, x[0]);
        Path partial = write("partial.bin", Arrays.copyOf(records, 3073 + 100));
        assertMessage(() -> CifarFiles.read(List.of(partial), CifarFiles.Variant.CIFAR10, List.of()),
                partial + ": 3173 bytes is not a whole number of CIFAR10 records of 3073 bytes (truncated?)");
        records[0] = 12;
        Path badLabel = write("label.bin", records);
        assertMessage(() -> CifarFiles.read(List.of(badLabel), CifarFiles.Variant.CIFAR10, List.of()),
                badLabel + ": record 0 has label 12; CIFAR10 has 10 classes");
    }

    @Test
    void imageFolderReadsClassesInOrderAndNamesAnUnreadableImage() throws IOException {
        Files.createDirectories(dir.resolve("cat"));
        Files.createDirectories(dir.resolve("dog"));
        BufferedImage white = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                white.setRGB(x, y, 0xffffff);
            }
        }
        ImageIO.write(white, "png", dir.resolve("cat/a.png").toFile());
        ImageIO.write(white, "bmp", dir.resolve("dog/b.bmp").toFile());
        Files.writeString(dir.resolve("dog/c.jpg"), "not a JPEG");
        ImageFolder d = ImageFolder.read(dir, Shape.of(3, 4, 4));
        assertEquals(List.of("cat", "dog"), d.classes());
        assertEquals(3, d.size());
        assertEquals(1, d.label(2));
        float[] x = new float[48];
        d.read(0, x, 0);
        for (float v : x) {
            assertEquals(1f, v, 1e-6f);
        }
        DataException e = assertThrows(DataException.class, () -> d.read(2, x, 0));
        assertTrue(e.getMessage().startsWith(dir.resolve("dog/c.jpg").toString()), e.getMessage());
        assertMessage(() -> ImageFolder.read(dir.resolve("cat"), Shape.of(3, 4, 4)),
                dir.resolve("cat") + ": no class folders with images (.png, .jpg, .jpeg, .bmp) in it");
    }

    @Test
    void safetensorsDataNeedsInputAndWholeLabels() throws IOException {
        Path file = dir.resolve("data.safetensors");
        dev.fovea.runtime.weights.SafeTensors.write(file, java.util.Map.of(
                "input", new dev.fovea.runtime.weights.LoadedTensor(new int[] {2, 1, 2, 2}, new float[8]),
                "labels", new dev.fovea.runtime.weights.LoadedTensor(new int[] {2}, new float[] {1, 0.5f})), java.util.Map.of());
        assertMessage(() -> SafeTensorsData.read(file), file + ": label 1 is 0.5; labels are class numbers from 0");
    }

    @Test
    void subsetsRelabelClassesAndLimit() throws IOException {
        write("train-images-idx3-ubyte", idxImages(6, 1, 1));
        write("train-labels-idx1-ubyte", idxLabels(0, 5, 6, 5, 9, 7));
        Dataset d = IdxFiles.read(dir, "train", null);
        Dataset five = d.classSubset(5, 6, 7, 8, 9);
        assertEquals(5, five.size());
        assertEquals(List.of(0, 1, 0, 4, 2), java.util.stream.IntStream.range(0, 5).map(five::label).boxed().toList());
        assertEquals(List.of("5", "6", "7", "8", "9"), five.classes());
        assertEquals(2, five.limit(2).size());
        assertEquals(1, five.limit(2).label(1));
        assertMessage(() -> d.classSubset(10), d.name() + " has classes 0 to 9, not 10");
        Dataset.Split split = d.holdOut(2, 3);
        assertEquals(4, split.train().size());
        assertEquals(2, split.validation().size());
        java.util.Set<Float> pixels = new java.util.HashSet<>();
        float[] one = new float[1];
        for (Dataset part : List.of(split.train(), split.validation())) {
            for (int i = 0; i < part.size(); i++) {
                part.read(i, one, 0);
                pixels.add(one[0]); // each sample's one pixel is its own: all six land in exactly one part
            }
        }
        assertEquals(6, pixels.size());
        assertMessage(() -> d.holdOut(6, 1), "a validation split takes between 1 and 5 samples, not 6");
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String message) {
        RuntimeException e = assertThrows(RuntimeException.class, call);
        assertEquals(message, e.getMessage());
    }
}
