package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BlockedMicroKernel}'s and {@link NarrowMicroKernel}'s tiles for 16 vector registers (an AVX2 CPU):
 * the same sums, each from zero over the steps in the same order, in passes of at most 6 pixels by
 * {@link BlockedMicroKernel#CHANNELS}, 12 accumulators a pass.
 *
 * <p>A pass of 12 accumulators also holds the step's two weight vectors and its broadcasts, and fits only
 * if no more than two broadcasts are live at once. That depends on how the FMA is written: as
 * {@code x.fma(w, sum)}, the broadcast first, C2 schedules the broadcasts two at a time (read with
 * {@code -XX:CompileCommand=print}); as {@code w.fma(x, sum)}, the order of the 32-register tiles, it loads
 * four ahead of their FMAs and keeps three accumulators on the stack. Measured alone on one core at
 * {@code -XX:UseAVX=2} (8-float vectors, operands in L1): 6 pixels 93 to 107 GFLOP/s written one way, 47
 * to 49 the other; 14 pixels as passes of 5, 5 and 4, 87 to 91; the 7 x 2 tile (14 accumulators) 54 to 56.
 *
 * <p>Each pass takes its pixels' offsets one by one, so a pass may cross from one run to the next and one
 * set of passes serves every pixel step.
 */
final class SixteenRegisterTile {
    private static final VectorSpecies<Float> S = BlockedMicroKernel.S;
    private static final int L = BlockedMicroKernel.L;
    private static final int CHANNELS = BlockedMicroKernel.CHANNELS;
    private static final int GROUP = BlockedMicroKernel.GROUP;

    private SixteenRegisterTile() {
    }

    /** {@link BlockedMicroKernel#anyStep}'s sums: two runs of 7 pixels {@code ps} floats apart, as passes of 5, 5 and 4 pixels. */
    static void twoRuns(float[] a, int aBase, float[] b, int first, int second, int ps, int[] taps, int from, int to, float[] tile, int t) {
        five(a, aBase, b, first, first + ps, first + 2 * ps, first + 3 * ps, first + 4 * ps, taps, from, to, tile, t);
        five(a, aBase, b, first + 5 * ps, first + 6 * ps, second, second + ps, second + 2 * ps, taps, from, to, tile, t + 5 * CHANNELS);
        four(a, aBase, b, second + 3 * ps, second + 4 * ps, second + 5 * ps, second + 6 * ps, taps, from, to, tile, t + 10 * CHANNELS);
    }

    /** {@link NarrowMicroKernel}'s sums: two runs of 7 pixels {@code ps} floats apart, a tap per reduction step. */
    static void twoRunsStepwise(float[] a, int aBase, float[] b, int first, int second, int ps, int[] taps, int from, int to, float[] tile, int t) {
        fiveStepwise(a, aBase, b, first, first + ps, first + 2 * ps, first + 3 * ps, first + 4 * ps, taps, from, to, tile, t);
        fiveStepwise(a, aBase, b, first + 5 * ps, first + 6 * ps, second, second + ps, second + 2 * ps, taps, from, to, tile, t + 5 * CHANNELS);
        fourStepwise(a, aBase, b, second + 3 * ps, second + 4 * ps, second + 5 * ps, second + 6 * ps, taps, from, to, tile, t + 10 * CHANNELS);
    }

    /** {@link BlockedMicroKernel#unitRun}'s sums for any pixel step: one run of 7 pixels, as passes of 6 and 1. */
    static void oneRun(float[] a, int aBase, float[] b, int first, int ps, int[] taps, int from, int to, float[] tile, int t) {
        six(a, aBase, b, first, first + ps, first + 2 * ps, first + 3 * ps, first + 4 * ps, first + 5 * ps, taps, from, to, tile, t);
        one(a, aBase, b, first + 6 * ps, taps, from, to, tile, t + 6 * CHANNELS);
    }

    /** Six pixels at offsets p0 to p5 over groups [from, to), stored from {@code tile[t]}: 12 accumulators. */
    private static void six(float[] a, int aBase, float[] b, int p0, int p1, int p2, int p3, int p4, int p5, int[] taps, int from, int to,
            float[] tile, int t) {
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1, c4_0, c4_1, c5_0, c5_1;
        c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = c4_0 = c4_1 = c5_0 = c5_1 = FloatVector.zero(S);
        for (int g = from; g < to; g++) {
            int tap = taps[g];
            int ai = aBase + g * GROUP * CHANNELS;
            for (int c = 0; c < GROUP; c++) {
                FloatVector w0 = FloatVector.fromArray(S, a, ai + c * CHANNELS);
                FloatVector w1 = FloatVector.fromArray(S, a, ai + c * CHANNELS + L);
                FloatVector x = FloatVector.broadcast(S, b[p0 + tap + c]);
                c0_0 = x.fma(w0, c0_0);
                c0_1 = x.fma(w1, c0_1);
                x = FloatVector.broadcast(S, b[p1 + tap + c]);
                c1_0 = x.fma(w0, c1_0);
                c1_1 = x.fma(w1, c1_1);
                x = FloatVector.broadcast(S, b[p2 + tap + c]);
                c2_0 = x.fma(w0, c2_0);
                c2_1 = x.fma(w1, c2_1);
                x = FloatVector.broadcast(S, b[p3 + tap + c]);
                c3_0 = x.fma(w0, c3_0);
                c3_1 = x.fma(w1, c3_1);
                x = FloatVector.broadcast(S, b[p4 + tap + c]);
                c4_0 = x.fma(w0, c4_0);
                c4_1 = x.fma(w1, c4_1);
                x = FloatVector.broadcast(S, b[p5 + tap + c]);
                c5_0 = x.fma(w0, c5_0);
                c5_1 = x.fma(w1, c5_1);
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
    }

    /** As {@link #six} for five pixels. */
    private static void five(float[] a, int aBase, float[] b, int p0, int p1, int p2, int p3, int p4, int[] taps, int from, int to,
            float[] tile, int t) {
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1, c4_0, c4_1;
        c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = c4_0 = c4_1 = FloatVector.zero(S);
        for (int g = from; g < to; g++) {
            int tap = taps[g];
            int ai = aBase + g * GROUP * CHANNELS;
            for (int c = 0; c < GROUP; c++) {
                FloatVector w0 = FloatVector.fromArray(S, a, ai + c * CHANNELS);
                FloatVector w1 = FloatVector.fromArray(S, a, ai + c * CHANNELS + L);
                FloatVector x = FloatVector.broadcast(S, b[p0 + tap + c]);
                c0_0 = x.fma(w0, c0_0);
                c0_1 = x.fma(w1, c0_1);
                x = FloatVector.broadcast(S, b[p1 + tap + c]);
                c1_0 = x.fma(w0, c1_0);
                c1_1 = x.fma(w1, c1_1);
                x = FloatVector.broadcast(S, b[p2 + tap + c]);
                c2_0 = x.fma(w0, c2_0);
                c2_1 = x.fma(w1, c2_1);
                x = FloatVector.broadcast(S, b[p3 + tap + c]);
                c3_0 = x.fma(w0, c3_0);
                c3_1 = x.fma(w1, c3_1);
                x = FloatVector.broadcast(S, b[p4 + tap + c]);
                c4_0 = x.fma(w0, c4_0);
                c4_1 = x.fma(w1, c4_1);
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
    }

    /** As {@link #six} for four pixels. */
    private static void four(float[] a, int aBase, float[] b, int p0, int p1, int p2, int p3, int[] taps, int from, int to, float[] tile, int t) {
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1;
        c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = FloatVector.zero(S);
        for (int g = from; g < to; g++) {
            int tap = taps[g];
            int ai = aBase + g * GROUP * CHANNELS;
            for (int c = 0; c < GROUP; c++) {
                FloatVector w0 = FloatVector.fromArray(S, a, ai + c * CHANNELS);
                FloatVector w1 = FloatVector.fromArray(S, a, ai + c * CHANNELS + L);
                FloatVector x = FloatVector.broadcast(S, b[p0 + tap + c]);
                c0_0 = x.fma(w0, c0_0);
                c0_1 = x.fma(w1, c0_1);
                x = FloatVector.broadcast(S, b[p1 + tap + c]);
                c1_0 = x.fma(w0, c1_0);
                c1_1 = x.fma(w1, c1_1);
                x = FloatVector.broadcast(S, b[p2 + tap + c]);
                c2_0 = x.fma(w0, c2_0);
                c2_1 = x.fma(w1, c2_1);
                x = FloatVector.broadcast(S, b[p3 + tap + c]);
                c3_0 = x.fma(w0, c3_0);
                c3_1 = x.fma(w1, c3_1);
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
    }

    /** As {@link #six} for one pixel, the seventh of a lone run. */
    private static void one(float[] a, int aBase, float[] b, int p0, int[] taps, int from, int to, float[] tile, int t) {
        FloatVector c0_0, c0_1;
        c0_0 = c0_1 = FloatVector.zero(S);
        for (int g = from; g < to; g++) {
            int tap = taps[g];
            int ai = aBase + g * GROUP * CHANNELS;
            for (int c = 0; c < GROUP; c++) {
                FloatVector w0 = FloatVector.fromArray(S, a, ai + c * CHANNELS);
                FloatVector w1 = FloatVector.fromArray(S, a, ai + c * CHANNELS + L);
                FloatVector x = FloatVector.broadcast(S, b[p0 + tap + c]);
                c0_0 = x.fma(w0, c0_0);
                c0_1 = x.fma(w1, c0_1);
            }
        }
        c0_0.intoArray(tile, t);
        c0_1.intoArray(tile, t + L);
    }

    /** As {@link #five}, with a tap per reduction step. */
    private static void fiveStepwise(float[] a, int aBase, float[] b, int p0, int p1, int p2, int p3, int p4, int[] taps, int from, int to,
            float[] tile, int t) {
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1, c4_0, c4_1;
        c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = c4_0 = c4_1 = FloatVector.zero(S);
        for (int j = from; j < to; j++) {
            int tap = taps[j];
            FloatVector w0 = FloatVector.fromArray(S, a, aBase + j * CHANNELS);
            FloatVector w1 = FloatVector.fromArray(S, a, aBase + j * CHANNELS + L);
            FloatVector x = FloatVector.broadcast(S, b[p0 + tap]);
            c0_0 = x.fma(w0, c0_0);
            c0_1 = x.fma(w1, c0_1);
            x = FloatVector.broadcast(S, b[p1 + tap]);
            c1_0 = x.fma(w0, c1_0);
            c1_1 = x.fma(w1, c1_1);
            x = FloatVector.broadcast(S, b[p2 + tap]);
            c2_0 = x.fma(w0, c2_0);
            c2_1 = x.fma(w1, c2_1);
            x = FloatVector.broadcast(S, b[p3 + tap]);
            c3_0 = x.fma(w0, c3_0);
            c3_1 = x.fma(w1, c3_1);
            x = FloatVector.broadcast(S, b[p4 + tap]);
            c4_0 = x.fma(w0, c4_0);
            c4_1 = x.fma(w1, c4_1);
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
    }

    /** As {@link #four}, with a tap per reduction step. */
    private static void fourStepwise(float[] a, int aBase, float[] b, int p0, int p1, int p2, int p3, int[] taps, int from, int to,
            float[] tile, int t) {
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1;
        c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = FloatVector.zero(S);
        for (int j = from; j < to; j++) {
            int tap = taps[j];
            FloatVector w0 = FloatVector.fromArray(S, a, aBase + j * CHANNELS);
            FloatVector w1 = FloatVector.fromArray(S, a, aBase + j * CHANNELS + L);
            FloatVector x = FloatVector.broadcast(S, b[p0 + tap]);
            c0_0 = x.fma(w0, c0_0);
            c0_1 = x.fma(w1, c0_1);
            x = FloatVector.broadcast(S, b[p1 + tap]);
            c1_0 = x.fma(w0, c1_0);
            c1_1 = x.fma(w1, c1_1);
            x = FloatVector.broadcast(S, b[p2 + tap]);
            c2_0 = x.fma(w0, c2_0);
            c2_1 = x.fma(w1, c2_1);
            x = FloatVector.broadcast(S, b[p3 + tap]);
            c3_0 = x.fma(w0, c3_0);
            c3_1 = x.fma(w1, c3_1);
        }
        c0_0.intoArray(tile, t);
        c0_1.intoArray(tile, t + L);
        c1_0.intoArray(tile, t + CHANNELS);
        c1_1.intoArray(tile, t + CHANNELS + L);
        c2_0.intoArray(tile, t + 2 * CHANNELS);
        c2_1.intoArray(tile, t + 2 * CHANNELS + L);
        c3_0.intoArray(tile, t + 3 * CHANNELS);
        c3_1.intoArray(tile, t + 3 * CHANNELS + L);
    }
}
