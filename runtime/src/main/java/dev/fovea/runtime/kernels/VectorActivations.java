package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activations a vector at a time: the same functions as {@link Activation#apply(float, float)}, GELU
 * through the same erfc fit as {@link Erf} with the Vector API's exp. A kernel's store applies the cheap
 * ones ({@link #isCheap}) in its own body and leaves the others to {@link #apply} over the array afterwards.
 *
 * <p>No method here or in the kernels takes or returns a vector. C2 leaves a call out of line when the
 * profile says its site is cold, however small the callee (a row's tail, a layer that runs late in the
 * warm-up), and a vector passed to such a call is boxed on the heap, at every call from then on.
 */
public final class VectorActivations {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

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
            case TANH -> tanh(data, from, vectorEnd);
            case SIGMOID -> sigmoid(data, from, vectorEnd);
            case SILU -> silu(data, from, vectorEnd);
            case GELU -> gelu(data, from, vectorEnd);
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

    private static void tanh(float[] data, int from, int to) {
        for (int i = from; i < to; i += L) {
            FloatVector.fromArray(S, data, i).lanewise(VectorOperators.TANH).intoArray(data, i);
        }
    }

    /** 1 / (1 + e^-x). */
    private static void sigmoid(float[] data, int from, int to) {
        for (int i = from; i < to; i += L) {
            FloatVector x = FloatVector.fromArray(S, data, i);
            FloatVector.broadcast(S, 1f).div(x.neg().lanewise(VectorOperators.EXP).add(1f)).intoArray(data, i);
        }
    }

    /** x / (1 + e^-x). */
    private static void silu(float[] data, int from, int to) {
        for (int i = from; i < to; i += L) {
            FloatVector x = FloatVector.fromArray(S, data, i);
            x.div(x.neg().lanewise(VectorOperators.EXP).add(1f)).intoArray(data, i);
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

    /** x * Phi(x) = x * erfc(-x / sqrt 2) / 2, erfc by Numerical Recipes' Chebyshev fit. */
    private static void gelu(float[] data, int from, int to) {
        for (int i = from; i < to; i += L) {
            FloatVector x = FloatVector.fromArray(S, data, i);
            FloatVector u = x.mul((float) (-1 / Math.sqrt(2)));
            FloatVector z = u.abs();
            FloatVector t = FloatVector.broadcast(S, 1f).div(z.mul(0.5f).add(1f));
            FloatVector poly = t.mul(0.17087277f).add(-0.82215223f);
            poly = poly.mul(t).add(1.48851587f);
            poly = poly.mul(t).add(-1.13520398f);
            poly = poly.mul(t).add(0.27886807f);
            poly = poly.mul(t).add(-0.18628806f);
            poly = poly.mul(t).add(0.09678418f);
            poly = poly.mul(t).add(0.37409196f);
            poly = poly.mul(t).add(1.00002368f);
            poly = poly.mul(t).add(-1.26551223f);
            FloatVector r = t.mul(z.mul(z).neg().add(poly).lanewise(VectorOperators.EXP)); // erfc(|u|)
            FloatVector erfc = r.blend(FloatVector.broadcast(S, 2f).sub(r), u.compare(VectorOperators.LT, 0f));
            x.mul(erfc).mul(0.5f).intoArray(data, i);
        }
    }
}
