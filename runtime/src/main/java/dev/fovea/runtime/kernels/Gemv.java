package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense layers: out[n, u] = dot(weight[u, :], in[n, :]), each dot a Vector API reduction over the
 * features. The weights are read once per sample; for the large layers of AlexNet and VGG this is bound
 * by memory bandwidth, so the tasks are rows of units, streamed in order.
 */
public final class Gemv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int UNITS_PER_TASK = 16;

    private Gemv() {}

    public static void run(Workers workers, float[] weight, float[] in, float[] out, int n, int features, int units, Epilogue e) {
        prepare(weight, in, out, n, features, units, e).accept(workers);
    }

    /** One call, made once per layer: the task reads its fixed arguments, so a run allocates nothing. */
    public static java.util.function.Consumer<Workers> prepare(float[] weight, float[] in, float[] out, int n, int features, int units,
            Epilogue e) {
        int blocks = (units + UNITS_PER_TASK - 1) / UNITS_PER_TASK;
        java.util.function.IntConsumer task = t -> {
            int sample = t / blocks;
            int u0 = (t % blocks) * UNITS_PER_TASK;
            int u1 = Math.min(units, u0 + UNITS_PER_TASK);
            for (int u = u0; u < u1; u++) {
                float v = dot(weight, u * features, in, sample * features, features);
                int at = sample * units + u;
                if (e.bias() != null) {
                    v += e.bias()[u];
                }
                if (e.residual() != null) {
                    v += e.residual()[at];
                }
                if (e.accumulate()) {
                    v += out[at];
                }
                out[at] = e.activation().apply(v, e.slope());
            }
        };
        return workers -> workers.parallelFor(n * blocks, task);
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
