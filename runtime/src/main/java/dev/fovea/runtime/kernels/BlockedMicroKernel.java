package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tile of a convolution that reads {@link ChannelBlocks}: 14 output pixels by 32 output
 * channels (two vectors), 28 accumulators, two weight vectors and one broadcast, which is 31 of the 32
 * vector registers (a 7 x 64 tile needs 33 and spills an accumulator on every step).
 *
 * <p>The reduction runs in groups of 16 steps, one group per input channel block and window tap: group
 * g reads pixel p's channels at {@code base(p) + taps[g] + c} for c below the block size, so the JIT proves the
 * inner loop's array indices in range once per group instead of checking each broadcast. Weights are
 * packed [group][c][32]. The 14 pixels are two runs of 7, from {@code first} and from {@code second},
 * so that a tile covers two 7-pixel rows of a 7-wide map as well as 14 pixels of one row.
 *
 * <p>{@link #unitStep} and {@link #twoStep} are {@link #anyStep} with the pixel step fixed at one or two
 * blocks (stride 1 or 2), the three otherwise the same: with the step a constant, each broadcast's
 * address is a register plus a displacement, with no integer arithmetic beside the FMAs (measured
 * alone on one core: about 160 GFLOP/s against 140 with a variable step and 125 for the 7 x 64 tile).
 * {@link #unitRun} and {@link #twoRun} are {@link #unitStep} and {@link #twoStep} for one run of 7
 * pixels, for the last tile of a map with an odd number of runs, such as a 7x7 map's seven.
 *
 * <p>Every tile sums from zero and stores its sums; a caller that reduces in slices adds each later
 * slice's sums to the earlier ones ({@link #addTile}). A tile that could also start from sums it loaded
 * (28 loads or 28 zeros, by a flag) cost C2 68 MB of arena to compile, its peak in the incremental
 * inlining of the vector calls, against 23 MB; the C heap kept what C2 freed, so every process stayed
 * about 40 MB larger. Alone on one core the tile that only stores ran as fast or faster (175 to 183
 * GFLOP/s against 165 to 177).
 *
 * <p>With 16 vector registers (an AVX2 CPU) the 28 accumulators would spill on every step, so each method
 * hands its tile to {@link SixteenRegisterTile}, whose passes fit.
 */
final class BlockedMicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Pixels of a tile: two runs of {@link #RUN}. */
    static final int PIXELS = 14;
    static final int RUN = 7;
    /** Output channels of a tile. */
    static final int CHANNELS = 2 * L;
    /** Reduction steps of a group: one channel block. */
    static final int GROUP = ChannelBlocks.BLOCK;

    private BlockedMicroKernel() {
    }

    /** tile[to, to + floats) += tile[from, from + floats): a later slice's sums onto the earlier ones, floats a whole number of vectors. */
    static void addTile(float[] tile, int from, int to, int floats) {
        for (int i = 0; i < floats; i += L) {
            FloatVector.fromArray(S, tile, to + i).add(FloatVector.fromArray(S, tile, from + i)).intoArray(tile, to + i);
        }
    }

    /**
     * Sums of the tile at {@code tile[t]} (pixel-major, 14 pixels of {@link #CHANNELS}) over reduction groups [from, to), its
     * pixels one channel block apart: each 7-pixel run starts at {@code first} or {@code second}. The sums
     * start from zero and are stored over what the tile held.
     */
    static void unitStep(float[] a, int aBase, float[] b, int first, int second, int[] taps, int from, int to, float[] tile, int t) {
        if (VectorRegisters.few()) {
            SixteenRegisterTile.twoRuns(a, aBase, b, first, second, GROUP, taps, from, to, tile, t);
            return;
        }
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1, c4_0, c4_1, c5_0, c5_1, c6_0, c6_1;
        FloatVector c7_0, c7_1, c8_0, c8_1, c9_0, c9_1, c10_0, c10_1, c11_0, c11_1, c12_0, c12_1, c13_0, c13_1;
        c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = c4_0 = c4_1 = c5_0 = c5_1 = c6_0 = c6_1 = FloatVector.zero(S);
        c7_0 = c7_1 = c8_0 = c8_1 = c9_0 = c9_1 = c10_0 = c10_1 = c11_0 = c11_1 = c12_0 = c12_1 = c13_0 = c13_1 = FloatVector.zero(S);
        for (int g = from; g < to; g++) {
            int x0 = first + taps[g];
            int x1 = second + taps[g];
            int ai = aBase + g * GROUP * CHANNELS;
            for (int c = 0; c < GROUP; c++) {
                FloatVector w0 = FloatVector.fromArray(S, a, ai + c * CHANNELS);
                FloatVector w1 = FloatVector.fromArray(S, a, ai + c * CHANNELS + L);
                FloatVector x = FloatVector.broadcast(S, b[x0 + c]);
                c0_0 = w0.fma(x, c0_0);
                c0_1 = w1.fma(x, c0_1);
                x = FloatVector.broadcast(S, b[x0 + c + GROUP]);
                c1_0 = w0.fma(x, c1_0);
                c1_1 = w1.fma(x, c1_1);
                x = FloatVector.broadcast(S, b[x0 + c + 2 * GROUP]);
                c2_0 = w0.fma(x, c2_0);
                c2_1 = w1.fma(x, c2_1);
                x = FloatVector.broadcast(S, b[x0 + c + 3 * GROUP]);
                c3_0 = w0.fma(x, c3_0);
                c3_1 = w1.fma(x, c3_1);
                x = FloatVector.broadcast(S, b[x0 + c + 4 * GROUP]);
                c4_0 = w0.fma(x, c4_0);
                c4_1 = w1.fma(x, c4_1);
                x = FloatVector.broadcast(S, b[x0 + c + 5 * GROUP]);
                c5_0 = w0.fma(x, c5_0);
                c5_1 = w1.fma(x, c5_1);
                x = FloatVector.broadcast(S, b[x0 + c + 6 * GROUP]);
                c6_0 = w0.fma(x, c6_0);
                c6_1 = w1.fma(x, c6_1);
                x = FloatVector.broadcast(S, b[x1 + c]);
                c7_0 = w0.fma(x, c7_0);
                c7_1 = w1.fma(x, c7_1);
                x = FloatVector.broadcast(S, b[x1 + c + GROUP]);
                c8_0 = w0.fma(x, c8_0);
                c8_1 = w1.fma(x, c8_1);
                x = FloatVector.broadcast(S, b[x1 + c + 2 * GROUP]);
                c9_0 = w0.fma(x, c9_0);
                c9_1 = w1.fma(x, c9_1);
                x = FloatVector.broadcast(S, b[x1 + c + 3 * GROUP]);
                c10_0 = w0.fma(x, c10_0);
                c10_1 = w1.fma(x, c10_1);
                x = FloatVector.broadcast(S, b[x1 + c + 4 * GROUP]);
                c11_0 = w0.fma(x, c11_0);
                c11_1 = w1.fma(x, c11_1);
                x = FloatVector.broadcast(S, b[x1 + c + 5 * GROUP]);
                c12_0 = w0.fma(x, c12_0);
                c12_1 = w1.fma(x, c12_1);
                x = FloatVector.broadcast(S, b[x1 + c + 6 * GROUP]);
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

    /** As {@link #unitStep}, with the pixels of a run two blocks apart (stride 2). */
    static void twoStep(float[] a, int aBase, float[] b, int first, int second, int[] taps, int from, int to, float[] tile, int t) {
        if (VectorRegisters.few()) {
            SixteenRegisterTile.twoRuns(a, aBase, b, first, second, 2 * GROUP, taps, from, to, tile, t);
            return;
        }
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1, c4_0, c4_1, c5_0, c5_1, c6_0, c6_1;
        FloatVector c7_0, c7_1, c8_0, c8_1, c9_0, c9_1, c10_0, c10_1, c11_0, c11_1, c12_0, c12_1, c13_0, c13_1;
        c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = c4_0 = c4_1 = c5_0 = c5_1 = c6_0 = c6_1 = FloatVector.zero(S);
        c7_0 = c7_1 = c8_0 = c8_1 = c9_0 = c9_1 = c10_0 = c10_1 = c11_0 = c11_1 = c12_0 = c12_1 = c13_0 = c13_1 = FloatVector.zero(S);
        for (int g = from; g < to; g++) {
            int x0 = first + taps[g];
            int x1 = second + taps[g];
            int ai = aBase + g * GROUP * CHANNELS;
            for (int c = 0; c < GROUP; c++) {
                FloatVector w0 = FloatVector.fromArray(S, a, ai + c * CHANNELS);
                FloatVector w1 = FloatVector.fromArray(S, a, ai + c * CHANNELS + L);
                FloatVector x = FloatVector.broadcast(S, b[x0 + c]);
                c0_0 = w0.fma(x, c0_0);
                c0_1 = w1.fma(x, c0_1);
                x = FloatVector.broadcast(S, b[x0 + c + 2 * GROUP]);
                c1_0 = w0.fma(x, c1_0);
                c1_1 = w1.fma(x, c1_1);
                x = FloatVector.broadcast(S, b[x0 + c + 4 * GROUP]);
                c2_0 = w0.fma(x, c2_0);
                c2_1 = w1.fma(x, c2_1);
                x = FloatVector.broadcast(S, b[x0 + c + 6 * GROUP]);
                c3_0 = w0.fma(x, c3_0);
                c3_1 = w1.fma(x, c3_1);
                x = FloatVector.broadcast(S, b[x0 + c + 8 * GROUP]);
                c4_0 = w0.fma(x, c4_0);
                c4_1 = w1.fma(x, c4_1);
                x = FloatVector.broadcast(S, b[x0 + c + 10 * GROUP]);
                c5_0 = w0.fma(x, c5_0);
                c5_1 = w1.fma(x, c5_1);
                x = FloatVector.broadcast(S, b[x0 + c + 12 * GROUP]);
                c6_0 = w0.fma(x, c6_0);
                c6_1 = w1.fma(x, c6_1);
                x = FloatVector.broadcast(S, b[x1 + c]);
                c7_0 = w0.fma(x, c7_0);
                c7_1 = w1.fma(x, c7_1);
                x = FloatVector.broadcast(S, b[x1 + c + 2 * GROUP]);
                c8_0 = w0.fma(x, c8_0);
                c8_1 = w1.fma(x, c8_1);
                x = FloatVector.broadcast(S, b[x1 + c + 4 * GROUP]);
                c9_0 = w0.fma(x, c9_0);
                c9_1 = w1.fma(x, c9_1);
                x = FloatVector.broadcast(S, b[x1 + c + 6 * GROUP]);
                c10_0 = w0.fma(x, c10_0);
                c10_1 = w1.fma(x, c10_1);
                x = FloatVector.broadcast(S, b[x1 + c + 8 * GROUP]);
                c11_0 = w0.fma(x, c11_0);
                c11_1 = w1.fma(x, c11_1);
                x = FloatVector.broadcast(S, b[x1 + c + 10 * GROUP]);
                c12_0 = w0.fma(x, c12_0);
                c12_1 = w1.fma(x, c12_1);
                x = FloatVector.broadcast(S, b[x1 + c + 12 * GROUP]);
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

    /** As {@link #unitStep}, with the pixels of a run {@code ps} floats apart (a strided window). */
    static void anyStep(float[] a, int aBase, float[] b, int first, int second, int ps, int[] taps, int from, int to, float[] tile, int t) {
        if (VectorRegisters.few()) {
            SixteenRegisterTile.twoRuns(a, aBase, b, first, second, ps, taps, from, to, tile, t);
            return;
        }
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1, c4_0, c4_1, c5_0, c5_1, c6_0, c6_1;
        FloatVector c7_0, c7_1, c8_0, c8_1, c9_0, c9_1, c10_0, c10_1, c11_0, c11_1, c12_0, c12_1, c13_0, c13_1;
        c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = c4_0 = c4_1 = c5_0 = c5_1 = c6_0 = c6_1 = FloatVector.zero(S);
        c7_0 = c7_1 = c8_0 = c8_1 = c9_0 = c9_1 = c10_0 = c10_1 = c11_0 = c11_1 = c12_0 = c12_1 = c13_0 = c13_1 = FloatVector.zero(S);
        for (int g = from; g < to; g++) {
            int x0 = first + taps[g];
            int x1 = second + taps[g];
            int ai = aBase + g * GROUP * CHANNELS;
            for (int c = 0; c < GROUP; c++) {
                FloatVector w0 = FloatVector.fromArray(S, a, ai + c * CHANNELS);
                FloatVector w1 = FloatVector.fromArray(S, a, ai + c * CHANNELS + L);
                FloatVector x = FloatVector.broadcast(S, b[x0 + c]);
                c0_0 = w0.fma(x, c0_0);
                c0_1 = w1.fma(x, c0_1);
                x = FloatVector.broadcast(S, b[x0 + c + ps]);
                c1_0 = w0.fma(x, c1_0);
                c1_1 = w1.fma(x, c1_1);
                x = FloatVector.broadcast(S, b[x0 + c + 2 * ps]);
                c2_0 = w0.fma(x, c2_0);
                c2_1 = w1.fma(x, c2_1);
                x = FloatVector.broadcast(S, b[x0 + c + 3 * ps]);
                c3_0 = w0.fma(x, c3_0);
                c3_1 = w1.fma(x, c3_1);
                x = FloatVector.broadcast(S, b[x0 + c + 4 * ps]);
                c4_0 = w0.fma(x, c4_0);
                c4_1 = w1.fma(x, c4_1);
                x = FloatVector.broadcast(S, b[x0 + c + 5 * ps]);
                c5_0 = w0.fma(x, c5_0);
                c5_1 = w1.fma(x, c5_1);
                x = FloatVector.broadcast(S, b[x0 + c + 6 * ps]);
                c6_0 = w0.fma(x, c6_0);
                c6_1 = w1.fma(x, c6_1);
                x = FloatVector.broadcast(S, b[x1 + c]);
                c7_0 = w0.fma(x, c7_0);
                c7_1 = w1.fma(x, c7_1);
                x = FloatVector.broadcast(S, b[x1 + c + ps]);
                c8_0 = w0.fma(x, c8_0);
                c8_1 = w1.fma(x, c8_1);
                x = FloatVector.broadcast(S, b[x1 + c + 2 * ps]);
                c9_0 = w0.fma(x, c9_0);
                c9_1 = w1.fma(x, c9_1);
                x = FloatVector.broadcast(S, b[x1 + c + 3 * ps]);
                c10_0 = w0.fma(x, c10_0);
                c10_1 = w1.fma(x, c10_1);
                x = FloatVector.broadcast(S, b[x1 + c + 4 * ps]);
                c11_0 = w0.fma(x, c11_0);
                c11_1 = w1.fma(x, c11_1);
                x = FloatVector.broadcast(S, b[x1 + c + 5 * ps]);
                c12_0 = w0.fma(x, c12_0);
                c12_1 = w1.fma(x, c12_1);
                x = FloatVector.broadcast(S, b[x1 + c + 6 * ps]);
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

    /**
     * As {@link #unitStep} for the first 7-pixel run only: the last tile of a map with an odd number of
     * runs (7x7 maps have seven), which the full tile would sum twice.
     */
    static void unitRun(float[] a, int aBase, float[] b, int first, int[] taps, int from, int to, float[] tile, int t) {
        if (VectorRegisters.few()) {
            SixteenRegisterTile.oneRun(a, aBase, b, first, GROUP, taps, from, to, tile, t);
            return;
        }
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1, c4_0, c4_1, c5_0, c5_1, c6_0, c6_1;
        c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = c4_0 = c4_1 = c5_0 = c5_1 = c6_0 = c6_1 = FloatVector.zero(S);
        for (int g = from; g < to; g++) {
            int x0 = first + taps[g];
            int ai = aBase + g * GROUP * CHANNELS;
            for (int c = 0; c < GROUP; c++) {
                FloatVector w0 = FloatVector.fromArray(S, a, ai + c * CHANNELS);
                FloatVector w1 = FloatVector.fromArray(S, a, ai + c * CHANNELS + L);
                FloatVector x = FloatVector.broadcast(S, b[x0 + c]);
                c0_0 = w0.fma(x, c0_0);
                c0_1 = w1.fma(x, c0_1);
                x = FloatVector.broadcast(S, b[x0 + c + GROUP]);
                c1_0 = w0.fma(x, c1_0);
                c1_1 = w1.fma(x, c1_1);
                x = FloatVector.broadcast(S, b[x0 + c + 2 * GROUP]);
                c2_0 = w0.fma(x, c2_0);
                c2_1 = w1.fma(x, c2_1);
                x = FloatVector.broadcast(S, b[x0 + c + 3 * GROUP]);
                c3_0 = w0.fma(x, c3_0);
                c3_1 = w1.fma(x, c3_1);
                x = FloatVector.broadcast(S, b[x0 + c + 4 * GROUP]);
                c4_0 = w0.fma(x, c4_0);
                c4_1 = w1.fma(x, c4_1);
                x = FloatVector.broadcast(S, b[x0 + c + 5 * GROUP]);
                c5_0 = w0.fma(x, c5_0);
                c5_1 = w1.fma(x, c5_1);
                x = FloatVector.broadcast(S, b[x0 + c + 6 * GROUP]);
                c6_0 = w0.fma(x, c6_0);
                c6_1 = w1.fma(x, c6_1);
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
    }

    /** As {@link #unitRun}, with the pixels two blocks apart (stride 2): the last tile of a 7x7 map on a stride-2 layer. */
    static void twoRun(float[] a, int aBase, float[] b, int first, int[] taps, int from, int to, float[] tile, int t) {
        if (VectorRegisters.few()) {
            SixteenRegisterTile.oneRun(a, aBase, b, first, 2 * GROUP, taps, from, to, tile, t);
            return;
        }
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1, c4_0, c4_1, c5_0, c5_1, c6_0, c6_1;
        c0_0 = c0_1 = c1_0 = c1_1 = c2_0 = c2_1 = c3_0 = c3_1 = c4_0 = c4_1 = c5_0 = c5_1 = c6_0 = c6_1 = FloatVector.zero(S);
        for (int g = from; g < to; g++) {
            int x0 = first + taps[g];
            int ai = aBase + g * GROUP * CHANNELS;
            for (int c = 0; c < GROUP; c++) {
                FloatVector w0 = FloatVector.fromArray(S, a, ai + c * CHANNELS);
                FloatVector w1 = FloatVector.fromArray(S, a, ai + c * CHANNELS + L);
                FloatVector x = FloatVector.broadcast(S, b[x0 + c]);
                c0_0 = w0.fma(x, c0_0);
                c0_1 = w1.fma(x, c0_1);
                x = FloatVector.broadcast(S, b[x0 + c + 2 * GROUP]);
                c1_0 = w0.fma(x, c1_0);
                c1_1 = w1.fma(x, c1_1);
                x = FloatVector.broadcast(S, b[x0 + c + 4 * GROUP]);
                c2_0 = w0.fma(x, c2_0);
                c2_1 = w1.fma(x, c2_1);
                x = FloatVector.broadcast(S, b[x0 + c + 6 * GROUP]);
                c3_0 = w0.fma(x, c3_0);
                c3_1 = w1.fma(x, c3_1);
                x = FloatVector.broadcast(S, b[x0 + c + 8 * GROUP]);
                c4_0 = w0.fma(x, c4_0);
                c4_1 = w1.fma(x, c4_1);
                x = FloatVector.broadcast(S, b[x0 + c + 10 * GROUP]);
                c5_0 = w0.fma(x, c5_0);
                c5_1 = w1.fma(x, c5_1);
                x = FloatVector.broadcast(S, b[x0 + c + 12 * GROUP]);
                c6_0 = w0.fma(x, c6_0);
                c6_1 = w1.fma(x, c6_1);
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
    }
}
