package dev.fovea.processor.model;

import java.util.Arrays;

/** The shape of one sample's tensor, without the batch: C x H x W, or F for a flat tensor. */
public record Shape(int[] dims) {
    public Shape {
        dims = dims.clone();
    }

    public static Shape of(int... dims) {
        return new Shape(dims);
    }

    public int rank() {
        return dims.length;
    }

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

    public int dim(int i) {
        return dims[i];
    }

    public long elements() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    public int[] toArray() {
        return dims.clone();
    }

    public Shape withChannels(int channels) {
        int[] d = dims.clone();
        d[0] = channels;
        return new Shape(d);
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
