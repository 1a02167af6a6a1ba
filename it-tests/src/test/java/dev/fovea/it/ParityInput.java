package dev.fovea.it;

/** The input both sides of the parity test compute: x[i] = 0.5 sin(0.37 i) over the flat tensor. */
final class ParityInput {
    private ParityInput() {}

    static void fill(float[] input) {
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) (0.5 * Math.sin(0.37 * i));
        }
    }
}
