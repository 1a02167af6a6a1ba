package dev.fovea.runtime.data;

import dev.fovea.runtime.Shape;
import java.util.List;

/** Samples held as floats, as a safetensors file gives them: used as they are. */
final class FloatSamples extends LabelledSamples {
    private final float[] values;
    private final int sampleSize;

    FloatSamples(String name, float[] values, int[] labels, Shape shape, List<String> classes) {
        super(name, labels, shape, classes);
        this.values = values;
        this.sampleSize = Math.toIntExact(shape.elements());
    }

    @Override
    public void read(int index, float[] into, int offset) {
        System.arraycopy(values, index * sampleSize, into, offset, sampleSize);
    }
}
