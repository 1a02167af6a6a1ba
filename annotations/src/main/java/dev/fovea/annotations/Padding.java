package dev.fovea.annotations;

/** Padding modes that stand where a {@code padding} value goes. */
public final class Padding {
    /**
     * Pads so that the output is {@code ceil(in / stride)} (Keras's and TensorFlow's "same"); when the
     * total padding is odd, the extra row and column go at the bottom and right.
     */
    public static final int SAME = -1;

    /** No padding (the same as {@code 0}). */
    public static final int VALID = 0;

    private Padding() {}
}
