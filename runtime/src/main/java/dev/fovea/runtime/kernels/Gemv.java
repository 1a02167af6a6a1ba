package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense layers: out[n, u] = dot(weight[u, :], in[n, :]), each dot a Vector API reduction over the
 * features. For the large layers of AlexNet and VGG this is bound by memory bandwidth, so a task is a
 * block of units, its weight rows streamed once for all samples: four units by four samples at a time,
 * each weight vector loaded once for four samples and each input vector once for four units; samples
 * after the last four, four units at a time.
 */
public final class Gemv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int UNITS_PER_TASK = 16;
    /** Units and samples of one register block of {@link #dots4x4}. */
    private static final int BLOCK = 4;

    private Gemv() {}

    public static void run(Workers workers, float[] weight, float[] in, float[] out, int n, int features, int units, Epilogue e) {
        prepare(weight, in, out, n, features, units, e).accept(workers);
    }

    /** One call, made once per layer: the task reads its fixed arguments, so a run allocates nothing. */
    public static java.util.function.Consumer<Workers> prepare(float[] weight, float[] in, float[] out, int n, int features, int units,
            Epilogue e) {
        int blocks = (units + UNITS_PER_TASK - 1) / UNITS_PER_TASK;
        ThreadLocal<float[]> sums = ThreadLocal.withInitial(() -> new float[BLOCK * BLOCK]);
        java.util.function.IntConsumer task = t -> {
            int u0 = t * UNITS_PER_TASK;
            int u1 = Math.min(units, u0 + UNITS_PER_TASK);
            float[] block = sums.get();
            int sample = 0;
            for (; sample + BLOCK <= n; sample += BLOCK) {
                int u = u0;
                for (; u + BLOCK <= u1; u += BLOCK) {
                    dots4x4(weight, u * features, in, sample * features, features, block);
                    for (int i = 0; i < BLOCK * BLOCK; i++) {
                        finish(block[i], sample + i % BLOCK, u + i / BLOCK, out, units, e);
                    }
                }
                for (; u < u1; u++) {
                    for (int s = sample; s < sample + BLOCK; s++) {
                        finish(dot(weight, u * features, in, s * features, features), s, u, out, units, e);
                    }
                }
            }
            for (; sample < n; sample++) {
                int u = u0;
                for (; u + BLOCK <= u1; u += BLOCK) {
                    dots4x1(weight, u * features, in, sample * features, features, block);
                    for (int i = 0; i < BLOCK; i++) {
                        finish(block[i], sample, u + i, out, units, e);
                    }
                }
                for (; u < u1; u++) {
                    finish(dot(weight, u * features, in, sample * features, features), sample, u, out, units, e);
                }
            }
        };
        return workers -> workers.parallelFor(blocks, task);
    }

    /** Bias, residual, accumulation and activation for one output. */
    private static void finish(float v, int sample, int unit, float[] out, int units, Epilogue e) {
        int at = sample * units + unit;
        if (e.bias() != null) {
            v += e.bias()[unit];
        }
        if (e.residual() != null) {
            v += e.residual()[at];
        }
        if (e.accumulate()) {
            v += out[at];
        }
        out[at] = e.activation().apply(v, e.slope());
    }

    /**
     * The 16 dots of weight rows [u, u + 4) (the first at {@code wBase}) with input rows [s, s + 4) (the
     * first at {@code xBase}), into {@code sums} at (unit - u) * 4 + (sample - s).
     */
    static void dots4x4(float[] w, int wBase, float[] x, int xBase, int length, float[] sums) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= length; i += L) {
            FloatVector x0 = FloatVector.fromArray(S, x, xBase + i);
            FloatVector x1 = FloatVector.fromArray(S, x, xBase + length + i);
            FloatVector x2 = FloatVector.fromArray(S, x, xBase + 2 * length + i);
            FloatVector x3 = FloatVector.fromArray(S, x, xBase + 3 * length + i);
            FloatVector w0 = FloatVector.fromArray(S, w, wBase + i);
            c00 = w0.fma(x0, c00);
            c01 = w0.fma(x1, c01);
            c02 = w0.fma(x2, c02);
            c03 = w0.fma(x3, c03);
            FloatVector w1 = FloatVector.fromArray(S, w, wBase + length + i);
            c10 = w1.fma(x0, c10);
            c11 = w1.fma(x1, c11);
            c12 = w1.fma(x2, c12);
            c13 = w1.fma(x3, c13);
            FloatVector w2 = FloatVector.fromArray(S, w, wBase + 2 * length + i);
            c20 = w2.fma(x0, c20);
            c21 = w2.fma(x1, c21);
            c22 = w2.fma(x2, c22);
            c23 = w2.fma(x3, c23);
            FloatVector w3 = FloatVector.fromArray(S, w, wBase + 3 * length + i);
            c30 = w3.fma(x0, c30);
            c31 = w3.fma(x1, c31);
            c32 = w3.fma(x2, c32);
            c33 = w3.fma(x3, c33);
        }
        sums[0] = c00.reduceLanes(VectorOperators.ADD);
        sums[1] = c01.reduceLanes(VectorOperators.ADD);
        sums[2] = c02.reduceLanes(VectorOperators.ADD);
        sums[3] = c03.reduceLanes(VectorOperators.ADD);
        sums[4] = c10.reduceLanes(VectorOperators.ADD);
        sums[5] = c11.reduceLanes(VectorOperators.ADD);
        sums[6] = c12.reduceLanes(VectorOperators.ADD);
        sums[7] = c13.reduceLanes(VectorOperators.ADD);
        sums[8] = c20.reduceLanes(VectorOperators.ADD);
        sums[9] = c21.reduceLanes(VectorOperators.ADD);
        sums[10] = c22.reduceLanes(VectorOperators.ADD);
        sums[11] = c23.reduceLanes(VectorOperators.ADD);
        sums[12] = c30.reduceLanes(VectorOperators.ADD);
        sums[13] = c31.reduceLanes(VectorOperators.ADD);
        sums[14] = c32.reduceLanes(VectorOperators.ADD);
        sums[15] = c33.reduceLanes(VectorOperators.ADD);
        for (; i < length; i++) {
            for (int u = 0; u < BLOCK; u++) {
                for (int s = 0; s < BLOCK; s++) {
                    sums[u * BLOCK + s] += w[wBase + u * length + i] * x[xBase + s * length + i];
                }
            }
        }
    }

    /**
     * The 4 dots of weight rows [u, u + 4) (the first at {@code wBase}) with one input row at {@code xBase},
     * into {@code sums}[unit - u]: four weight rows streamed side by side, so that a sample alone (batch 1)
     * keeps four streams of the weights in flight instead of one.
     */
    static void dots4x1(float[] w, int wBase, float[] x, int xBase, int length, float[] sums) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= length; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xBase + i);
            c0 = FloatVector.fromArray(S, w, wBase + i).fma(v, c0);
            c1 = FloatVector.fromArray(S, w, wBase + length + i).fma(v, c1);
            c2 = FloatVector.fromArray(S, w, wBase + 2 * length + i).fma(v, c2);
            c3 = FloatVector.fromArray(S, w, wBase + 3 * length + i).fma(v, c3);
        }
        sums[0] = c0.reduceLanes(VectorOperators.ADD);
        sums[1] = c1.reduceLanes(VectorOperators.ADD);
        sums[2] = c2.reduceLanes(VectorOperators.ADD);
        sums[3] = c3.reduceLanes(VectorOperators.ADD);
        for (; i < length; i++) {
            for (int u = 0; u < BLOCK; u++) {
                sums[u] += w[wBase + u * length + i] * x[xBase + i];
            }
        }
    }

    static float dot(float[] a, int aBase, float[] b, int bBase, int length) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        int i = 0;
        for (; i + 4 * L <= length; i += 4 * L) {
            s0 = FloatVector.fromArray(S, a, aBase + i).fma(FloatVector.fromArray(S, b, bBase + i), s0);
            s1 = FloatVector.fromArray(S, a, aBase + i + L).fma(FloatVector.fromArray(S, b, bBase + i + L), s1);
            s2 = FloatVector.fromArray(S, a, aBase + i + 2 * L).fma(FloatVector.fromArray(S, b, bBase + i + 2 * L), s2);
            s3 = FloatVector.fromArray(S, a, aBase + i + 3 * L).fma(FloatVector.fromArray(S, b, bBase + i + 3 * L), s3);
        }
        for (; i + L <= length; i += L) {
            s0 = FloatVector.fromArray(S, a, aBase + i).fma(FloatVector.fromArray(S, b, bBase + i), s0);
        }
        float sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < length; i++) {
            sum += a[aBase + i] * b[bBase + i];
        }
        return sum;
    }
}
