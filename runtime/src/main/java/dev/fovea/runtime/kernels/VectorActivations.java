package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activations a vector at a time: the same functions as {@link Activation#apply(float, float)}, GELU
 * through the same erfc fit as {@link Erf}, every exponential by Fovea's own polynomial ({@link #curved}), so
 * that a value's bits do not depend on whether the code ran interpreted or compiled. A kernel's store applies the cheap ones
 * ({@link #isCheap}) in its own body and leaves the others to {@link #apply} over the array afterwards.
 *
 * <p>No method here or in the kernels takes or returns a vector. C2 leaves a call out of line when the
 * profile says its site is cold, however small the callee (a row's tail, a layer that runs late in the
 * warm-up), and a vector passed to such a call is boxed on the heap, at every call from then on.
 */
public final class VectorActivations {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final float LOG2E = 1.44269504088896341f;
    /** -ln 2 in two parts, the first of 9 bits. */
    private static final FloatVector MINUS_LN2_HIGH = FloatVector.broadcast(S, -0.693359375f);
    private static final FloatVector MINUS_LN2_LOW = FloatVector.broadcast(S, 2.12194440e-4f);
    /** Cephes' coefficients of e^r after the first two. */
    private static final FloatVector E2 = FloatVector.broadcast(S, 8.3334519073e-3f);
    private static final FloatVector E3 = FloatVector.broadcast(S, 4.1665795894e-2f);
    private static final FloatVector E4 = FloatVector.broadcast(S, 1.6666665459e-1f);
    private static final FloatVector E5 = FloatVector.broadcast(S, 5.0000001201e-1f);
    /** The erfc fit's coefficients after the first two. */
    private static final FloatVector G2 = FloatVector.broadcast(S, 1.48851587f);
    private static final FloatVector G3 = FloatVector.broadcast(S, -1.13520398f);
    private static final FloatVector G4 = FloatVector.broadcast(S, 0.27886807f);
    private static final FloatVector G5 = FloatVector.broadcast(S, -0.18628806f);
    private static final FloatVector G6 = FloatVector.broadcast(S, 0.09678418f);
    private static final FloatVector G7 = FloatVector.broadcast(S, 0.37409196f);
    private static final FloatVector G8 = FloatVector.broadcast(S, 1.00002368f);
    private static final FloatVector G9 = FloatVector.broadcast(S, -1.26551223f);
    /** Cephes' tanhf coefficients after the first two. */
    private static final FloatVector T2 = FloatVector.broadcast(S, -5.37397155531e-2f);
    private static final FloatVector T3 = FloatVector.broadcast(S, 1.33314422036e-1f);
    private static final FloatVector T4 = FloatVector.broadcast(S, -3.33332819422e-1f);
    /** 1.5 * 2^23: added to a float below 2^22, it leaves that float rounded to an integer in the low bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = 0x4B400000;
    /** e^x for |x| up to this keeps 2^k a normal float. */
    private static final float EXP_LIMIT = 88.3762626647949f;
    private static final float NEG_RSQRT2 = (float) (-1 / Math.sqrt(2));

    private VectorActivations() {}

    /**
     * The identity, ReLU, ReLU6 and LeakyReLU: a compare and a blend or two, which a kernel's store
     * applies itself ({@link Epilogue#leaky}, {@link Epilogue#clamps}).
     */
    public static boolean isCheap(Activation a) {
        return a == Activation.NONE || a == Activation.RELU || a == Activation.RELU6 || a == Activation.LEAKY_RELU;
    }

    /**
     * Applies {@code a} to data[from, to), in place: whole vectors in a loop of the activation's own,
     * the rest a float at a time. Each loop computes its vectors in its own body: GELU's and the
     * sigmoid's are too big for C2 to inline from a shared helper, and a vector passed to a call left
     * out of line is boxed on the heap.
     */
    public static void apply(float[] data, int from, int to, Activation a, float slope) {
        int vectorEnd = from + (to - from) / L * L;
        switch (a) {
            case NONE -> {
                return;
            }
            case RELU, RELU6 -> clamp(data, from, vectorEnd, a == Activation.RELU6);
            case LEAKY_RELU -> leaky(data, from, vectorEnd, slope);
            case TANH, SIGMOID, SILU, GELU -> curved(data, from, vectorEnd, a);
            case HARD_SWISH, HARD_SIGMOID -> hard(data, from, vectorEnd, a == Activation.HARD_SWISH);
        }
        for (int i = vectorEnd; i < to; i++) {
            data[i] = a.apply(data[i], slope);
        }
    }

    /** Clamps below at 0 and, when {@code capped} (ReLU6), above at {@link Epilogue#CAP}, as the kernels' stores do. */
    private static void clamp(float[] data, int from, int to, boolean capped) {
        for (int i = from; i < to; i += L) {
            FloatVector x = FloatVector.fromArray(S, data, i);
            x = x.blend(0f, x.lt(0f));
            if (capped) {
                x = x.blend(Epilogue.CAP, x.compare(VectorOperators.GT, Epilogue.CAP));
            }
            x.intoArray(data, i);
        }
    }

    /** Scales negatives by {@code slope}. */
    private static void leaky(float[] data, int from, int to, float slope) {
        for (int i = from; i < to; i += L) {
            FloatVector x = FloatVector.fromArray(S, data, i);
            x.blend(x.mul(slope), x.lt(0f)).intoArray(data, i);
        }
    }

    /** relu6(x + 3) / 6, times x for hard-swish, in PyTorch's order of operations. */
    private static void hard(float[] data, int from, int to, boolean swish) {
        for (int i = from; i < to; i += L) {
            FloatVector x = FloatVector.fromArray(S, data, i);
            FloatVector gate = x.add(3f).max(0f).min(6f);
            (swish ? x.mul(gate) : gate).div(6f).intoArray(data, i);
        }
    }

    /**
     * tanh, the sigmoid, SiLU and GELU, whose values come from an exponential: its argument, e^argument,
     * then the value, in one loop body (no method here passes a vector).
     * <ul>
     * <li>tanh x: below |x| = 0.625 Cephes' odd polynomial, x + x^3 P(x^2); above, 1 - 2 / (e^2|x| + 1),
     * the sign put back;
     * <li>the sigmoid 1 / (1 + e^-x), SiLU x / (1 + e^-x);
     * <li>GELU x Phi(x) = x erfc(-x / sqrt 2) / 2, erfc(z) by Numerical Recipes' Chebyshev fit t e^(-z^2 + P(t)).
     * </ul>
     * e^x is Cephes' expf: x = k ln 2 + r, |r| at most ln 2 / 2 (ln 2 in two parts, the first with few enough
     * bits that k times it is exact), e^r by its polynomial, 2^k put into the exponent's bits; within 2 ulp,
     * and past +-88.38 (where 2^k would leave the normal floats) infinity and 0. Only adds, multiplies,
     * fused multiply-adds and divisions, which give the same bits in the interpreter and in compiled code: the Vector API's EXP and
     * TANH run on another library once C2 compiles them, so a network's outputs changed in their last bits
     * as its kernels warmed up.
     */
    private static void curved(float[] data, int from, int to, Activation a) {
        boolean gelu = a == Activation.GELU;
        boolean tanh = a == Activation.TANH;
        for (int i = from; i < to; i += L) {
            FloatVector x = FloatVector.fromArray(S, data, i);
            FloatVector u = x;
            FloatVector t = x;
            FloatVector given;
            if (gelu) {
                u = x.mul(NEG_RSQRT2);
                t = FloatVector.broadcast(S, 1f).div(u.abs().mul(0.5f).add(1f));
                FloatVector poly = t.fma(0.17087277f, -0.82215223f);
                poly = poly.fma(t, G2);
                poly = poly.fma(t, G3);
                poly = poly.fma(t, G4);
                poly = poly.fma(t, G5);
                poly = poly.fma(t, G6);
                poly = poly.fma(t, G7);
                poly = poly.fma(t, G8);
                poly = poly.fma(t, G9);
                given = u.neg().fma(u, poly);
            } else {
                given = tanh ? x.abs().mul(2f) : x.neg();
            }
            FloatVector e = given.max(-EXP_LIMIT).min(EXP_LIMIT);
            // k, rounded to nearest in the low bits of 1.5 * 2^23 + k
            FloatVector shifted = e.fma(LOG2E, ROUNDER);
            FloatVector k = shifted.sub(ROUNDER);
            FloatVector r = k.fma(MINUS_LN2_HIGH, e); // exact: LN2_HIGH has 9 bits, k at most 8
            r = k.fma(MINUS_LN2_LOW, r);
            FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
            p = p.fma(r, E2);
            p = p.fma(r, E3);
            p = p.fma(r, E4);
            p = p.fma(r, E5);
            FloatVector scale = ((IntVector) shifted.reinterpretAsInts()).sub(ROUNDER_BITS - 127).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats();
            e = p.fma(r.mul(r), r).add(1f).mul(scale).blend(Float.POSITIVE_INFINITY, given.compare(VectorOperators.GT, EXP_LIMIT));
            FloatVector y;
            if (gelu) {
                FloatVector erfc = t.mul(e); // erfc(|u|)
                y = x.mul(erfc.blend(FloatVector.broadcast(S, 2f).sub(erfc), u.compare(VectorOperators.LT, 0f))).mul(0.5f);
            } else if (tanh) {
                FloatVector z = x.mul(x);
                FloatVector q = z.fma(-5.70498872745e-3f, 2.06390887954e-2f);
                q = q.fma(z, T2);
                q = q.fma(z, T3);
                q = q.fma(z, T4);
                FloatVector large = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e.add(1f)));
                y = large.blend(large.neg(), x.lt(0f)).blend(q.mul(z).mul(x).add(x), x.abs().lt(0.625f));
            } else {
                FloatVector numerator = a == Activation.SILU ? x : FloatVector.broadcast(S, 1f);
                y = numerator.div(e.add(1f));
            }
            y.intoArray(data, i);
        }
    }
}
