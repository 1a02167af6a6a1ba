package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tile of {@link BlockedMicroKernel} (14 output pixels by 32 output channels, 28
 * accumulators) for an NCHW input read by a 7-wide window at column stride 2: the stem of ResNet,
 * GoogLeNet and DenseNet. The input is a zero-padded copy of the sample, one plane per channel; the
 * reduction runs in groups of {@link #WIDTH} steps, one group per input channel and window row, step
 * c of group g reading pixel p at {@code base(p) + taps[g] + c}, the pixels 2 floats apart.
 * Weights are packed [group][c][32], which is the reduction's own (channel, ky, kx) order.
 *
 * <p>The pixel step is a constant, so each broadcast's address is a register plus a displacement, as on
 * the blocked tile. Against the 7 x 64 tile over stride phases, which looks its input offset up at
 * every step, a ResNet stem runs faster alone and in the pass (docs/PERFORMANCE.md). The body is
 * {@link BlockedMicroKernel}'s with other constants (a group of 7 steps, pixels 2 floats apart):
 * shared code would need them as parameters, which is what the JIT cannot fold.
 */
final class RowMicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Output channels of a tile, as on the blocked tile. */
    static final int CHANNELS = BlockedMicroKernel.CHANNELS;
    /** Floats between a run's consecutive pixels in a padded row: the column stride. */
    static final int STEP = 2;
    /**
     * Steps of a group: the window's width. A constant, as the JIT splits a loop of variable length into
     * three and spills the accumulators between them (the tile ran at half speed with the width a parameter).
     */
    static final int WIDTH = 7;

    private RowMicroKernel() {
    }

    /**
     * Sums of the tile at {@code tile[t]} (pixel-major, 14 pixels of {@link #CHANNELS}) over reduction
     * groups [from, to) of {@link #WIDTH} steps: each 7-pixel run starts at {@code first} or {@code second}.
     * The sums start from zero and are stored over what the tile held (see {@link BlockedMicroKernel} on why).
     */
    static void twoStep(float[] a, int aBase, float[] b, int first, int second, int[] taps, int from, int to, float[] tile, int t) {
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1, c4_0, c4_1, c5_0, c5_1, c6_0, c6_1;
        FloatVector c7_0, c7_1, c8_0, c8_1, c9_0, c9_1, c10_0, c10_1, c11_0, c11_1, c12_0, c12_1, c13_0, c13_1;
        c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = c4_0 = c4_1 = c5_0 = c5_1 = c6_0 = c6_1 = FloatVector.zero(S);
        c7_0 = c7_1 = c8_0 = c8_1 = c9_0 = c9_1 = c10_0 = c10_1 = c11_0 = c11_1 = c12_0 = c12_1 = c13_0 = c13_1 = FloatVector.zero(S);
        for (int g = from; g < to; g++) {
            int x0 = first + taps[g];
            int x1 = second + taps[g];
            int ai = aBase + g * WIDTH * CHANNELS;
            for (int c = 0; c < WIDTH; c++) {
                FloatVector w0 = FloatVector.fromArray(S, a, ai + c * CHANNELS);
                FloatVector w1 = FloatVector.fromArray(S, a, ai + c * CHANNELS + L);
                FloatVector x = FloatVector.broadcast(S, b[x0 + c]);
                c0_0 = w0.fma(x, c0_0);
                c0_1 = w1.fma(x, c0_1);
                x = FloatVector.broadcast(S, b[x0 + c + STEP]);
                c1_0 = w0.fma(x, c1_0);
                c1_1 = w1.fma(x, c1_1);
                x = FloatVector.broadcast(S, b[x0 + c + 2 * STEP]);
                c2_0 = w0.fma(x, c2_0);
                c2_1 = w1.fma(x, c2_1);
                x = FloatVector.broadcast(S, b[x0 + c + 3 * STEP]);
                c3_0 = w0.fma(x, c3_0);
                c3_1 = w1.fma(x, c3_1);
                x = FloatVector.broadcast(S, b[x0 + c + 4 * STEP]);
                c4_0 = w0.fma(x, c4_0);
                c4_1 = w1.fma(x, c4_1);
                x = FloatVector.broadcast(S, b[x0 + c + 5 * STEP]);
                c5_0 = w0.fma(x, c5_0);
                c5_1 = w1.fma(x, c5_1);
                x = FloatVector.broadcast(S, b[x0 + c + 6 * STEP]);
                c6_0 = w0.fma(x, c6_0);
                c6_1 = w1.fma(x, c6_1);
                x = FloatVector.broadcast(S, b[x1 + c]);
                c7_0 = w0.fma(x, c7_0);
                c7_1 = w1.fma(x, c7_1);
                x = FloatVector.broadcast(S, b[x1 + c + STEP]);
                c8_0 = w0.fma(x, c8_0);
                c8_1 = w1.fma(x, c8_1);
                x = FloatVector.broadcast(S, b[x1 + c + 2 * STEP]);
                c9_0 = w0.fma(x, c9_0);
                c9_1 = w1.fma(x, c9_1);
                x = FloatVector.broadcast(S, b[x1 + c + 3 * STEP]);
                c10_0 = w0.fma(x, c10_0);
                c10_1 = w1.fma(x, c10_1);
                x = FloatVector.broadcast(S, b[x1 + c + 4 * STEP]);
                c11_0 = w0.fma(x, c11_0);
                c11_1 = w1.fma(x, c11_1);
                x = FloatVector.broadcast(S, b[x1 + c + 5 * STEP]);
                c12_0 = w0.fma(x, c12_0);
                c12_1 = w1.fma(x, c12_1);
                x = FloatVector.broadcast(S, b[x1 + c + 6 * STEP]);
                c13_0 = w0.fma(x, c13_0);
                c13_1 = w1.fma(x, c13_1);
            }
        }
        c0_0.intoArray(tile, t);
        c0_1.intoArray(tile, t + L);
        c1_0.intoArray(tile, t + CHANNELS);
        c1_1.intoArray(tile, t + CHANNELS + L);
        c2_0.intoArray(tile, t + 2 * CHANNELS);
        c2_1.intoArray(tile, t + 2 * CHANNELS + L);
        c3_0.intoArray(tile, t + 3 * CHANNELS);
        c3_1.intoArray(tile, t + 3 * CHANNELS + L);
        c4_0.intoArray(tile, t + 4 * CHANNELS);
        c4_1.intoArray(tile, t + 4 * CHANNELS + L);
        c5_0.intoArray(tile, t + 5 * CHANNELS);
        c5_1.intoArray(tile, t + 5 * CHANNELS + L);
        c6_0.intoArray(tile, t + 6 * CHANNELS);
        c6_1.intoArray(tile, t + 6 * CHANNELS + L);
        c7_0.intoArray(tile, t + 7 * CHANNELS);
        c7_1.intoArray(tile, t + 7 * CHANNELS + L);
        c8_0.intoArray(tile, t + 8 * CHANNELS);
        c8_1.intoArray(tile, t + 8 * CHANNELS + L);
        c9_0.intoArray(tile, t + 9 * CHANNELS);
        c9_1.intoArray(tile, t + 9 * CHANNELS + L);
        c10_0.intoArray(tile, t + 10 * CHANNELS);
        c10_1.intoArray(tile, t + 10 * CHANNELS + L);
        c11_0.intoArray(tile, t + 11 * CHANNELS);
        c11_1.intoArray(tile, t + 11 * CHANNELS + L);
        c12_0.intoArray(tile, t + 12 * CHANNELS);
        c12_1.intoArray(tile, t + 12 * CHANNELS + L);
        c13_0.intoArray(tile, t + 13 * CHANNELS);
        c13_1.intoArray(tile, t + 13 * CHANNELS + L);
    }
}
