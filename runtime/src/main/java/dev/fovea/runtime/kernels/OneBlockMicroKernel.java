package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tile of a convolution from {@link ChannelBlocks} to a single block of output channels
 * (MobileNet v2's 16-channel projection): 28 output pixels by one vector, 28 accumulators, one weight
 * vector and one broadcast. {@link BlockedMicroKernel}'s 14 x 32 tile would leave its second vector
 * of every step summing zero weights. The reduction runs in groups of one input channel block and tap,
 * as there, weights packed [group][c][16]; the 28 pixels are four runs of 7, one channel block apart
 * (stride 1). Every sum runs over the steps in order from zero, as on the wide tile, so the results are
 * the same.
 */
final class OneBlockMicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Output pixels of the tile: four runs of {@link BlockedMicroKernel#RUN}. */
    static final int PIXELS = 28;
    static final int RUNS = 4;
    private static final int GROUP = ChannelBlocks.BLOCK;

    private OneBlockMicroKernel() {
    }

    /**
     * Sums of the tile at {@code tile[t]} (pixel-major, 28 pixels of one vector) over reduction groups [from, to),
     * the runs' first pixels at {@code first}, {@code second}, {@code third} and {@code fourth}. The sums start
     * from zero and are stored over what the tile held.
     */
    static void unitStep(float[] a, int aBase, float[] b, int first, int second, int third, int fourth, int[] taps, int from, int to,
            float[] tile, int t) {
        FloatVector c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13;
        FloatVector c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27;
        c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = c8 = c9 = c10 = c11 = c12 = c13 = FloatVector.zero(S);
        c14 = c15 = c16 = c17 = c18 = c19 = c20 = c21 = c22 = c23 = c24 = c25 = c26 = c27 = FloatVector.zero(S);
        for (int g = from; g < to; g++) {
            int x0 = first + taps[g];
            int x1 = second + taps[g];
            int x2 = third + taps[g];
            int x3 = fourth + taps[g];
            int ai = aBase + g * GROUP * L;
            for (int c = 0; c < GROUP; c++) {
                FloatVector w = FloatVector.fromArray(S, a, ai + c * L);
                c0 = w.fma(FloatVector.broadcast(S, b[x0 + c]), c0);
                c1 = w.fma(FloatVector.broadcast(S, b[x0 + c + GROUP]), c1);
                c2 = w.fma(FloatVector.broadcast(S, b[x0 + c + 2 * GROUP]), c2);
                c3 = w.fma(FloatVector.broadcast(S, b[x0 + c + 3 * GROUP]), c3);
                c4 = w.fma(FloatVector.broadcast(S, b[x0 + c + 4 * GROUP]), c4);
                c5 = w.fma(FloatVector.broadcast(S, b[x0 + c + 5 * GROUP]), c5);
                c6 = w.fma(FloatVector.broadcast(S, b[x0 + c + 6 * GROUP]), c6);
                c7 = w.fma(FloatVector.broadcast(S, b[x1 + c]), c7);
                c8 = w.fma(FloatVector.broadcast(S, b[x1 + c + GROUP]), c8);
                c9 = w.fma(FloatVector.broadcast(S, b[x1 + c + 2 * GROUP]), c9);
                c10 = w.fma(FloatVector.broadcast(S, b[x1 + c + 3 * GROUP]), c10);
                c11 = w.fma(FloatVector.broadcast(S, b[x1 + c + 4 * GROUP]), c11);
                c12 = w.fma(FloatVector.broadcast(S, b[x1 + c + 5 * GROUP]), c12);
                c13 = w.fma(FloatVector.broadcast(S, b[x1 + c + 6 * GROUP]), c13);
                c14 = w.fma(FloatVector.broadcast(S, b[x2 + c]), c14);
                c15 = w.fma(FloatVector.broadcast(S, b[x2 + c + GROUP]), c15);
                c16 = w.fma(FloatVector.broadcast(S, b[x2 + c + 2 * GROUP]), c16);
                c17 = w.fma(FloatVector.broadcast(S, b[x2 + c + 3 * GROUP]), c17);
                c18 = w.fma(FloatVector.broadcast(S, b[x2 + c + 4 * GROUP]), c18);
                c19 = w.fma(FloatVector.broadcast(S, b[x2 + c + 5 * GROUP]), c19);
                c20 = w.fma(FloatVector.broadcast(S, b[x2 + c + 6 * GROUP]), c20);
                c21 = w.fma(FloatVector.broadcast(S, b[x3 + c]), c21);
                c22 = w.fma(FloatVector.broadcast(S, b[x3 + c + GROUP]), c22);
                c23 = w.fma(FloatVector.broadcast(S, b[x3 + c + 2 * GROUP]), c23);
                c24 = w.fma(FloatVector.broadcast(S, b[x3 + c + 3 * GROUP]), c24);
                c25 = w.fma(FloatVector.broadcast(S, b[x3 + c + 4 * GROUP]), c25);
                c26 = w.fma(FloatVector.broadcast(S, b[x3 + c + 5 * GROUP]), c26);
                c27 = w.fma(FloatVector.broadcast(S, b[x3 + c + 6 * GROUP]), c27);
            }
        }
        c0.intoArray(tile, t);
        c1.intoArray(tile, t + L);
        c2.intoArray(tile, t + 2 * L);
        c3.intoArray(tile, t + 3 * L);
        c4.intoArray(tile, t + 4 * L);
        c5.intoArray(tile, t + 5 * L);
        c6.intoArray(tile, t + 6 * L);
        c7.intoArray(tile, t + 7 * L);
        c8.intoArray(tile, t + 8 * L);
        c9.intoArray(tile, t + 9 * L);
        c10.intoArray(tile, t + 10 * L);
        c11.intoArray(tile, t + 11 * L);
        c12.intoArray(tile, t + 12 * L);
        c13.intoArray(tile, t + 13 * L);
        c14.intoArray(tile, t + 14 * L);
        c15.intoArray(tile, t + 15 * L);
        c16.intoArray(tile, t + 16 * L);
        c17.intoArray(tile, t + 17 * L);
        c18.intoArray(tile, t + 18 * L);
        c19.intoArray(tile, t + 19 * L);
        c20.intoArray(tile, t + 20 * L);
        c21.intoArray(tile, t + 21 * L);
        c22.intoArray(tile, t + 22 * L);
        c23.intoArray(tile, t + 23 * L);
        c24.intoArray(tile, t + 24 * L);
        c25.intoArray(tile, t + 25 * L);
        c26.intoArray(tile, t + 26 * L);
        c27.intoArray(tile, t + 27 * L);
    }
}
