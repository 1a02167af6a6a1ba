package dev.fovea.processor.graph;

/**
 * Padding on each side. {@code same} asks shape inference to choose the sides for an output of
 * {@code ceil(in / stride)}; the resolved value is explicit.
 */
public record Pads(int top, int left, int bottom, int right, boolean same) {
    public static final Pads SAME = new Pads(0, 0, 0, 0, true);

    public static Pads symmetric(int h, int w) {
        return new Pads(h, w, h, w, false);
    }

    public boolean isSymmetric() {
        return top == bottom && left == right;
    }

    public boolean isZero() {
        return !same && top == 0 && left == 0 && bottom == 0 && right == 0;
    }

    @Override
    public String toString() {
        if (same) {
            return "same";
        }
        if (isSymmetric()) {
            return top == left ? Integer.toString(top) : top + "x" + left;
        }
        return top + "," + left + "," + bottom + "," + right;
    }
}
