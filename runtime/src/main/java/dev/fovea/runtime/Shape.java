package dev.fovea.runtime;

import java.util.Arrays;

/**
 * The shape of one sample's tensor, without the batch: channels x height x width, or features for a
 * flat tensor. Every dimension is positive.
 */
public record Shape(int... dims) {
    public Shape {
        dims = dims.clone();
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape dimensions must be positive: " + Arrays.toString(dims));
            }
        }
    }

    public static Shape of(int... dims) {
        return new Shape(dims);
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i];
    }

    /** C x H x W. */
    public boolean isSpatial() {
        return dims.length == 3;
    }

    public boolean isFlat() {
        return dims.length == 1;
    }

    public int channels() {
        return dims[0];
    }

    public int height() {
        return dims[1];
    }

    public int width() {
        return dims[2];
    }

    public Shape withChannels(int channels) {
        int[] d = dims.clone();
        d[0] = channels;
        return new Shape(d);
    }

    public long elements() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** "3x224x224". */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : "x").append(dims[i]);
        }
        return sb.toString();
    }
}
