package dev.fovea.runtime.weights;

import java.util.Arrays;

/**
 * A named tensor a model owns, as the compiler listed it: PyTorch's name and shape, whether it is a
 * buffer (batch norm's running statistics) rather than a learned parameter, and how it is initialised.
 */
public record TensorSpec(String name, int[] shape, boolean buffer, Init init) {
    public TensorSpec {
        shape = shape.clone();
    }

    public TensorSpec(String name, int[] shape, boolean buffer) {
        this(name, shape, buffer, Init.ZEROS);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int dim(int i) {
        return shape[i];
    }

    public int rank() {
        return shape.length;
    }

    public int elements() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    public boolean hasShape(int[] other) {
        return Arrays.equals(shape, other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && Arrays.equals(t.shape, shape) && t.buffer == buffer;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
