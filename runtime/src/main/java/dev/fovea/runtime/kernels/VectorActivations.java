package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activations a vector at a time: the same functions as {@link Activation#apply(float, float)}, GELU
 * through the same erfc fit as {@link Erf} with the Vector API's exp. Kernels apply the cheap ones
 * ({@link #isCheap}) inline with {@link #cheap} and the others over an array afterwards: a vector passed
 * to a method the JIT does not inline is boxed on the heap, and the full switch is too big to inline.
 */
public final class VectorActivations {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorActivations() {}

    /** ReLU, ReLU6 and LeakyReLU: a compare or two, small enough to inline into a kernel's store. */
    public static boolean isCheap(Activation a) {
        return a == Activation.NONE || a == Activation.RELU || a == Activation.RELU6 || a == Activation.LEAKY_RELU;
    }

    /** A cheap activation (see {@link #isCheap}); any other passes the vector unchanged. */
    public static FloatVector cheap(FloatVector v, Activation a, float slope) {
        return switch (a) {
            case RELU -> v.max(0f);
            case RELU6 -> v.max(0f).min(6f);
            case LEAKY_RELU -> v.blend(v.mul(slope), v.compare(VectorOperators.LT, 0f));
            default -> v;
        };
    }

    static FloatVector apply(FloatVector v, Activation a, float slope) {
        return switch (a) {
            case NONE -> v;
            case RELU -> v.max(0f);
            case RELU6 -> v.max(0f).min(6f);
            case LEAKY_RELU -> v.blend(v.mul(slope), v.compare(VectorOperators.LT, 0f));
            case TANH -> v.lanewise(VectorOperators.TANH);
            case SIGMOID -> sigmoid(v);
            case SILU -> v.mul(sigmoid(v));
            case GELU -> gelu(v);
        };
    }

    private static FloatVector sigmoid(FloatVector v) {
        return FloatVector.broadcast(S, 1f).div(v.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    /** x * Phi(x) = x * erfc(-x / sqrt 2) / 2, erfc by Numerical Recipes' Chebyshev fit. */
    private static FloatVector gelu(FloatVector x) {
        FloatVector u = x.mul((float) (-1 / Math.sqrt(2)));
        FloatVector z = u.abs();
        FloatVector t = z.mul(0.5f).add(1f);
        t = FloatVector.broadcast(S, 1f).div(t);
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
        return x.mul(erfc).mul(0.5f);
    }

    /** Applies {@code a} to data[from, to), in place. */
    public static void apply(float[] data, int from, int to, Activation a, float slope) {
        if (a == Activation.NONE) {
            return;
        }
        int i = from;
        for (; i + L <= to; i += L) {
            apply(FloatVector.fromArray(S, data, i), a, slope).intoArray(data, i);
        }
        if (i < to) {
            var m = S.indexInRange(i, to);
            apply(FloatVector.fromArray(S, data, i, m), a, slope).intoArray(data, i, m);
        }
    }
}
