package dev.fovea.processor.cost;

import java.util.Arrays;

/**
 * A named tensor a layer owns, with PyTorch's name and layout ({@code layer1.0.conv1.weight},
 * out x in/groups x kh x kw). Buffers (batch norm's running statistics) are state, not parameters.
 */
public record TensorSpec(String name, int[] shape, boolean buffer) {
    public TensorSpec {
        shape = shape.clone();
    }

    public long elements() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
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
