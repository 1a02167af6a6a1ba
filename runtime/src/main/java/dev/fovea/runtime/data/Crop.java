package dev.fovea.runtime.data;

import dev.fovea.runtime.Shape;

/** Copies a window of a sample, zeros where it lies outside: the shared body of padding and cropping. */
final class Crop {
    private Crop() {}

    /** {@code out} (shape {@code to}) gets the window of {@code in} whose top-left corner is (top, left), possibly negative. */
    static void copy(float[] in, Shape from, float[] out, Shape to, int top, int left) {
        int h = from.height();
        int w = from.width();
        for (int c = 0; c < to.channels(); c++) {
            for (int y = 0; y < to.height(); y++) {
                int sy = y + top;
                int row = (c * to.height() + y) * to.width();
                for (int x = 0; x < to.width(); x++) {
                    int sx = x + left;
                    out[row + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? in[(c * h + sy) * w + sx] : 0;
                }
            }
        }
    }
}
