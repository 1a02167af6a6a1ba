package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tiles of {@link BlockedDepthwise} for a 3x3 window: 7 consecutive output pixels of one
 * channel block, read in place or from a zero-bordered band: the caller names the window rows that lie
 * in the input and whether the first or last input column is padding, taken as zeros, so that no tap is
 * tested. Each input vector of a window row is loaded once and used by every pixel whose window covers it: at stride 1, 9
 * loads serve 21 FMAs (the 4-pixel tile loads one vector per FMA). Every sum runs from the bias over the
 * taps in row order, as on the 4-pixel tile, so the results are the same; values below lo or above hi
 * are set to them, as {@link VectorActivations} clamps: ReLU's [0, inf), ReLU6's [0, 6], or (-inf, inf) for none.
 */
final class DepthwiseMicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Output pixels of a tile: the maps of the 224-pixel networks are multiples of 7 wide. */
    static final int PIXELS = 7;
    /** The window's side. */
    static final int SIDE = 3;

    private DepthwiseMicroKernel() {
    }

    /**
     * Seven pixels at stride 1, over window rows [ky0, ky1): the first window's top-left tap at {@code at} in
     * {@code src}, window rows {@code rowStride} floats apart; weights [3][3][L] at {@code wAt}; results [7][L]
     * at {@code out} in {@code dst}. Where {@code left} or {@code right}, the first or last input column lies in
     * the padding and is taken as zeros, not read.
     */
    static void strideOne(float[] src, int at, int rowStride, int ky0, int ky1, boolean left, boolean right, float[] weight, int wAt,
            float[] biases, int biasAt, float lo, float hi, float[] dst, int out) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector a0 = FloatVector.fromArray(S, biases, biasAt);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector a5 = a0;
        FloatVector a6 = a0;
        for (int ky = ky0; ky < ky1; ky++) {
            int i = at + ky * rowStride;
            int w = wAt + ky * SIDE * L;
            FloatVector w0 = FloatVector.fromArray(S, weight, w);
            FloatVector w1 = FloatVector.fromArray(S, weight, w + L);
            FloatVector w2 = FloatVector.fromArray(S, weight, w + 2 * L);
            // v_j is input column j of the row; pixel p reads v_p, v_p+1, v_p+2
            FloatVector v0 = left ? zero : FloatVector.fromArray(S, src, i);
            FloatVector v1 = FloatVector.fromArray(S, src, i + L);
            FloatVector v2 = FloatVector.fromArray(S, src, i + 2 * L);
            a0 = w2.fma(v2, w1.fma(v1, w0.fma(v0, a0)));
            FloatVector v3 = FloatVector.fromArray(S, src, i + 3 * L);
            a1 = w2.fma(v3, w1.fma(v2, w0.fma(v1, a1)));
            FloatVector v4 = FloatVector.fromArray(S, src, i + 4 * L);
            a2 = w2.fma(v4, w1.fma(v3, w0.fma(v2, a2)));
            FloatVector v5 = FloatVector.fromArray(S, src, i + 5 * L);
            a3 = w2.fma(v5, w1.fma(v4, w0.fma(v3, a3)));
            FloatVector v6 = FloatVector.fromArray(S, src, i + 6 * L);
            a4 = w2.fma(v6, w1.fma(v5, w0.fma(v4, a4)));
            FloatVector v7 = FloatVector.fromArray(S, src, i + 7 * L);
            a5 = w2.fma(v7, w1.fma(v6, w0.fma(v5, a5)));
            FloatVector v8 = right ? zero : FloatVector.fromArray(S, src, i + 8 * L);
            a6 = w2.fma(v8, w1.fma(v7, w0.fma(v6, a6)));
        }
        FloatVector low = FloatVector.broadcast(S, lo);
        FloatVector high = FloatVector.broadcast(S, hi);
        a0.blend(low, a0.lt(low)).blend(high, a0.compare(VectorOperators.GT, high)).intoArray(dst, out);
        a1.blend(low, a1.lt(low)).blend(high, a1.compare(VectorOperators.GT, high)).intoArray(dst, out + L);
        a2.blend(low, a2.lt(low)).blend(high, a2.compare(VectorOperators.GT, high)).intoArray(dst, out + 2 * L);
        a3.blend(low, a3.lt(low)).blend(high, a3.compare(VectorOperators.GT, high)).intoArray(dst, out + 3 * L);
        a4.blend(low, a4.lt(low)).blend(high, a4.compare(VectorOperators.GT, high)).intoArray(dst, out + 4 * L);
        a5.blend(low, a5.lt(low)).blend(high, a5.compare(VectorOperators.GT, high)).intoArray(dst, out + 5 * L);
        a6.blend(low, a6.lt(low)).blend(high, a6.compare(VectorOperators.GT, high)).intoArray(dst, out + 6 * L);
    }

    /** Seven pixels at stride 2, as {@link #strideOne}: pixel p reads input columns 2p, 2p + 1 and 2p + 2. */
    static void strideTwo(float[] src, int at, int rowStride, int ky0, int ky1, boolean left, boolean right, float[] weight, int wAt,
            float[] biases, int biasAt, float lo, float hi, float[] dst, int out) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector a0 = FloatVector.fromArray(S, biases, biasAt);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector a5 = a0;
        FloatVector a6 = a0;
        for (int ky = ky0; ky < ky1; ky++) {
            int i = at + ky * rowStride;
            int w = wAt + ky * SIDE * L;
            FloatVector w0 = FloatVector.fromArray(S, weight, w);
            FloatVector w1 = FloatVector.fromArray(S, weight, w + L);
            FloatVector w2 = FloatVector.fromArray(S, weight, w + 2 * L);
            FloatVector even = left ? zero : FloatVector.fromArray(S, src, i);
            FloatVector odd = FloatVector.fromArray(S, src, i + L);
            FloatVector next = FloatVector.fromArray(S, src, i + 2 * L);
            a0 = w2.fma(next, w1.fma(odd, w0.fma(even, a0)));
            even = next;
            odd = FloatVector.fromArray(S, src, i + 3 * L);
            next = FloatVector.fromArray(S, src, i + 4 * L);
            a1 = w2.fma(next, w1.fma(odd, w0.fma(even, a1)));
            even = next;
            odd = FloatVector.fromArray(S, src, i + 5 * L);
            next = FloatVector.fromArray(S, src, i + 6 * L);
            a2 = w2.fma(next, w1.fma(odd, w0.fma(even, a2)));
            even = next;
            odd = FloatVector.fromArray(S, src, i + 7 * L);
            next = FloatVector.fromArray(S, src, i + 8 * L);
            a3 = w2.fma(next, w1.fma(odd, w0.fma(even, a3)));
            even = next;
            odd = FloatVector.fromArray(S, src, i + 9 * L);
            next = FloatVector.fromArray(S, src, i + 10 * L);
            a4 = w2.fma(next, w1.fma(odd, w0.fma(even, a4)));
            even = next;
            odd = FloatVector.fromArray(S, src, i + 11 * L);
            next = FloatVector.fromArray(S, src, i + 12 * L);
            a5 = w2.fma(next, w1.fma(odd, w0.fma(even, a5)));
            even = next;
            odd = FloatVector.fromArray(S, src, i + 13 * L);
            next = right ? zero : FloatVector.fromArray(S, src, i + 14 * L);
            a6 = w2.fma(next, w1.fma(odd, w0.fma(even, a6)));
        }
        FloatVector low = FloatVector.broadcast(S, lo);
        FloatVector high = FloatVector.broadcast(S, hi);
        a0.blend(low, a0.lt(low)).blend(high, a0.compare(VectorOperators.GT, high)).intoArray(dst, out);
        a1.blend(low, a1.lt(low)).blend(high, a1.compare(VectorOperators.GT, high)).intoArray(dst, out + L);
        a2.blend(low, a2.lt(low)).blend(high, a2.compare(VectorOperators.GT, high)).intoArray(dst, out + 2 * L);
        a3.blend(low, a3.lt(low)).blend(high, a3.compare(VectorOperators.GT, high)).intoArray(dst, out + 3 * L);
        a4.blend(low, a4.lt(low)).blend(high, a4.compare(VectorOperators.GT, high)).intoArray(dst, out + 4 * L);
        a5.blend(low, a5.lt(low)).blend(high, a5.compare(VectorOperators.GT, high)).intoArray(dst, out + 5 * L);
        a6.blend(low, a6.lt(low)).blend(high, a6.compare(VectorOperators.GT, high)).intoArray(dst, out + 6 * L);
    }
}
