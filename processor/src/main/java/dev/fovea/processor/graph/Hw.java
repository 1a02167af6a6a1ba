package dev.fovea.processor.graph;

/** A height and a width: a kernel size, a stride, a dilation. */
public record Hw(int h, int w) {
    public static Hw square(int n) {
        return new Hw(n, n);
    }

    public boolean isSquare() {
        return h == w;
    }

    @Override
    public String toString() {
        return isSquare() ? Integer.toString(h) : h + "x" + w;
    }
}
