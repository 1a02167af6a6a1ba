package dev.fovea.runtime.data;

import dev.fovea.runtime.Shape;
import java.util.List;

/** Images held as bytes (0 to 255), channels x height x width each, as IDX and CIFAR files store them. */
final class ByteImages extends LabelledSamples {
    private final byte[] pixels;
    private final int sampleSize;

    ByteImages(String name, byte[] pixels, int[] labels, Shape shape, List<String> classes) {
        super(name, labels, shape, classes);
        this.pixels = pixels;
        this.sampleSize = Math.toIntExact(shape.elements());
        if ((long) labels.length * sampleSize != pixels.length) {
            throw new IllegalArgumentException(labels.length + " labels for " + pixels.length + " bytes of " + shape + " images");
        }
    }

    @Override
    public void read(int index, float[] into, int offset) {
        int from = index * sampleSize;
        for (int i = 0; i < sampleSize; i++) {
            into[offset + i] = (pixels[from + i] & 0xff) * (1f / 255);
        }
    }
}
