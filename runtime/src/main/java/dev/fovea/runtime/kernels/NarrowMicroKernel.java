package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 14-pixel by 32-channel tile (28 accumulators, as {@link BlockedMicroKernel}'s) for an NCHW input
 * read through a tap table, one entry per reduction step ({@link StridePhases}), in panels of 32 output
 * channels: MobileNet's and Inception's 3x3 stride-2 stems, whose 32 channels left half of the 7-pixel
 * by 64-channel tile's lanes summing zeros, and AlexNet's and VGG's first layers, for which that tile
 * needs one register more than there are. Step j loads 32 weights at
 * {@code aBase + j * 32} and broadcasts 7 floats from each of two runs, from {@code first + taps[j]} and
 * {@code second + taps[j]}: consecutive floats in a copy made for the stride, or in the input itself at
 * stride 1 ({@link #twoRuns}); every other float of the input at stride 2 ({@link #twoRunsByTwo}). The
 * offsets are constants in each, so that the JIT checks a run's indices as one range (MobileNet's stem
 * 6 to 9% faster than with the step a variable). Every sum runs over the steps in order from
 * zero, as on the other tiles, so the results are the same. The accumulators' loads and stores are
 * {@link BlockedMicroKernel}'s: a vector cannot leave a method without being boxed, so a tile's
 * register code is written out in each kernel that owns one. With 16 vector registers (AVX2) both
 * methods run {@link SixteenRegisterTile}'s passes instead.
 */
final class NarrowMicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Output channels of the tile. */
    static final int CHANNELS = 2 * L;

    private NarrowMicroKernel() {
    }

    /**
     * Sums of the tile at {@code tile[t]} (pixel-major, 14 pixels of {@link #CHANNELS}) over steps
     * [from, to), from zero, stored over what the tile held (see {@link BlockedMicroKernel} on why no tile loads earlier sums).
     */
    static void twoRuns(float[] a, int aBase, float[] b, int first, int second, int[] taps, int from, int to, float[] tile, int t) {
        if (VectorRegisters.few()) {
            SixteenRegisterTile.twoRunsStepwise(a, aBase, b, first, second, 1, taps, from, to, tile, t);
            return;
        }
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1, c4_0, c4_1, c5_0, c5_1, c6_0, c6_1;
        FloatVector c7_0, c7_1, c8_0, c8_1, c9_0, c9_1, c10_0, c10_1, c11_0, c11_1, c12_0, c12_1, c13_0, c13_1;
        c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = c4_0 = c4_1 = c5_0 = c5_1 = c6_0 = c6_1 = FloatVector.zero(S);
        c7_0 = c7_1 = c8_0 = c8_1 = c9_0 = c9_1 = c10_0 = c10_1 = c11_0 = c11_1 = c12_0 = c12_1 = c13_0 = c13_1 = FloatVector.zero(S);
        for (int j = from; j < to; j++) {
            FloatVector w0 = FloatVector.fromArray(S, a, aBase + j * CHANNELS);
            FloatVector w1 = FloatVector.fromArray(S, a, aBase + j * CHANNELS + L);
            int x0 = first + taps[j];
            int x1 = second + taps[j];
            FloatVector v = FloatVector.broadcast(S, b[x0]);
            c0_0 = w0.fma(v, c0_0);
            c0_1 = w1.fma(v, c0_1);
            v = FloatVector.broadcast(S, b[x0 + 1]);
            c1_0 = w0.fma(v, c1_0);
            c1_1 = w1.fma(v, c1_1);
            v = FloatVector.broadcast(S, b[x0 + 2]);
            c2_0 = w0.fma(v, c2_0);
            c2_1 = w1.fma(v, c2_1);
            v = FloatVector.broadcast(S, b[x0 + 3]);
            c3_0 = w0.fma(v, c3_0);
            c3_1 = w1.fma(v, c3_1);
            v = FloatVector.broadcast(S, b[x0 + 4]);
            c4_0 = w0.fma(v, c4_0);
            c4_1 = w1.fma(v, c4_1);
            v = FloatVector.broadcast(S, b[x0 + 5]);
            c5_0 = w0.fma(v, c5_0);
            c5_1 = w1.fma(v, c5_1);
            v = FloatVector.broadcast(S, b[x0 + 6]);
            c6_0 = w0.fma(v, c6_0);
            c6_1 = w1.fma(v, c6_1);
            v = FloatVector.broadcast(S, b[x1]);
            c7_0 = w0.fma(v, c7_0);
            c7_1 = w1.fma(v, c7_1);
            v = FloatVector.broadcast(S, b[x1 + 1]);
            c8_0 = w0.fma(v, c8_0);
            c8_1 = w1.fma(v, c8_1);
            v = FloatVector.broadcast(S, b[x1 + 2]);
            c9_0 = w0.fma(v, c9_0);
            c9_1 = w1.fma(v, c9_1);
            v = FloatVector.broadcast(S, b[x1 + 3]);
            c10_0 = w0.fma(v, c10_0);
            c10_1 = w1.fma(v, c10_1);
            v = FloatVector.broadcast(S, b[x1 + 4]);
            c11_0 = w0.fma(v, c11_0);
            c11_1 = w1.fma(v, c11_1);
            v = FloatVector.broadcast(S, b[x1 + 5]);
            c12_0 = w0.fma(v, c12_0);
            c12_1 = w1.fma(v, c12_1);
            v = FloatVector.broadcast(S, b[x1 + 6]);
            c13_0 = w0.fma(v, c13_0);
            c13_1 = w1.fma(v, c13_1);
        }
        c0_0.intoArray(tile, t);
        c0_1.intoArray(tile, t + L);
        c1_0.intoArray(tile, t + 1 * CHANNELS);
        c1_1.intoArray(tile, t + 1 * CHANNELS + L);
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

    /** As {@link #twoRuns}, a run's pixels every other float: a stride-2 window read in the input itself. */
    static void twoRunsByTwo(float[] a, int aBase, float[] b, int first, int second, int[] taps, int from, int to, float[] tile,
            int t) {
        if (VectorRegisters.few()) {
            SixteenRegisterTile.twoRunsStepwise(a, aBase, b, first, second, 2, taps, from, to, tile, t);
            return;
        }
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1, c4_0, c4_1, c5_0, c5_1, c6_0, c6_1;
        FloatVector c7_0, c7_1, c8_0, c8_1, c9_0, c9_1, c10_0, c10_1, c11_0, c11_1, c12_0, c12_1, c13_0, c13_1;
        c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = c4_0 = c4_1 = c5_0 = c5_1 = c6_0 = c6_1 = FloatVector.zero(S);
        c7_0 = c7_1 = c8_0 = c8_1 = c9_0 = c9_1 = c10_0 = c10_1 = c11_0 = c11_1 = c12_0 = c12_1 = c13_0 = c13_1 = FloatVector.zero(S);
        for (int j = from; j < to; j++) {
            FloatVector w0 = FloatVector.fromArray(S, a, aBase + j * CHANNELS);
            FloatVector w1 = FloatVector.fromArray(S, a, aBase + j * CHANNELS + L);
            int x0 = first + taps[j];
            int x1 = second + taps[j];
            FloatVector v = FloatVector.broadcast(S, b[x0]);
            c0_0 = w0.fma(v, c0_0);
            c0_1 = w1.fma(v, c0_1);
            v = FloatVector.broadcast(S, b[x0 + 2]);
            c1_0 = w0.fma(v, c1_0);
            c1_1 = w1.fma(v, c1_1);
            v = FloatVector.broadcast(S, b[x0 + 4]);
            c2_0 = w0.fma(v, c2_0);
            c2_1 = w1.fma(v, c2_1);
            v = FloatVector.broadcast(S, b[x0 + 6]);
            c3_0 = w0.fma(v, c3_0);
            c3_1 = w1.fma(v, c3_1);
            v = FloatVector.broadcast(S, b[x0 + 8]);
            c4_0 = w0.fma(v, c4_0);
            c4_1 = w1.fma(v, c4_1);
            v = FloatVector.broadcast(S, b[x0 + 10]);
            c5_0 = w0.fma(v, c5_0);
            c5_1 = w1.fma(v, c5_1);
            v = FloatVector.broadcast(S, b[x0 + 12]);
            c6_0 = w0.fma(v, c6_0);
            c6_1 = w1.fma(v, c6_1);
            v = FloatVector.broadcast(S, b[x1]);
            c7_0 = w0.fma(v, c7_0);
            c7_1 = w1.fma(v, c7_1);
            v = FloatVector.broadcast(S, b[x1 + 2]);
            c8_0 = w0.fma(v, c8_0);
            c8_1 = w1.fma(v, c8_1);
            v = FloatVector.broadcast(S, b[x1 + 4]);
            c9_0 = w0.fma(v, c9_0);
            c9_1 = w1.fma(v, c9_1);
            v = FloatVector.broadcast(S, b[x1 + 6]);
            c10_0 = w0.fma(v, c10_0);
            c10_1 = w1.fma(v, c10_1);
            v = FloatVector.broadcast(S, b[x1 + 8]);
            c11_0 = w0.fma(v, c11_0);
            c11_1 = w1.fma(v, c11_1);
            v = FloatVector.broadcast(S, b[x1 + 10]);
            c12_0 = w0.fma(v, c12_0);
            c12_1 = w1.fma(v, c12_1);
            v = FloatVector.broadcast(S, b[x1 + 12]);
            c13_0 = w0.fma(v, c13_0);
            c13_1 = w1.fma(v, c13_1);
        }
        c0_0.intoArray(tile, t);
        c0_1.intoArray(tile, t + L);
        c1_0.intoArray(tile, t + 1 * CHANNELS);
        c1_1.intoArray(tile, t + 1 * CHANNELS + L);
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
