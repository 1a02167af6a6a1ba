package dev.fovea.runtime.weights;

/** A float32 tensor read from or written to a file: its shape and its values in row-major order. */
public record LoadedTensor(int[] shape, float[] data) {
    public LoadedTensor {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + java.util.Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " holds " + n + " values, not " + data.length);
        }
    }
}
