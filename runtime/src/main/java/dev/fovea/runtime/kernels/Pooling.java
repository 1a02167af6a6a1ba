package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max and average pooling on many planes at once: planes are shared out among the workers; each plane is
 * laid out in {@link PhasePlanes} (padded with -infinity for max, 0 for average) so that every window
 * tap is a contiguous run along an output row, and each row is computed a vector at a time, whatever the
 * stride, padding or ceil mode. Results are PyTorch's, as {@link Reference#pool2d} defines them.
 */
public final class Pooling {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int PLANES_PER_TASK = 4;

    private Pooling() {}

    /** One call, made once per pooling layer: the task reads its fixed arguments, so a run allocates nothing. */
    public static java.util.function.Consumer<Workers> prepare(boolean max, float[] in, float[] out, int planes, int ih, int iw, int oh,
            int ow, int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, boolean countIncludePad) {
        return prepare(max, in, out, 0, planes, ih, iw, oh, ow, kh, kw, sh, sw, pt, pl, pb, pr, countIncludePad);
    }

    /** As above, the output's first plane written from {@code outBase}: one sample pooled into its place among the batch's. */
    public static java.util.function.Consumer<Workers> prepare(boolean max, float[] in, float[] out, int outBase, int planes, int ih, int iw,
            int oh, int ow, int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, boolean countIncludePad) {
        int tasks = (planes + PLANES_PER_TASK - 1) / PLANES_PER_TASK;
        float[] rowDivisors = max ? null : divisors(ih, oh, kh, sh, pt, pb, countIncludePad);
        float[] colDivisors = max ? null : divisors(iw, ow, kw, sw, pl, pr, countIncludePad);
        int[] taps = PhasePlanes.tapOffsets(oh, ow, kh, kw, sh, sw, 1, 1);
        int rowStep = PhasePlanes.rowStep(ow, kw, sh, sw, 1);
        java.util.function.IntConsumer task = t -> {
            PhasePlanes scratch = SCRATCH.get();
            for (int p = t * PLANES_PER_TASK; p < Math.min(planes, (t + 1) * PLANES_PER_TASK); p++) {
                plane(max, in, p * ih * iw, out, outBase + p * oh * ow, ih, iw, oh, ow, kh, kw, sh, sw, pt, pl, scratch, rowDivisors, colDivisors, taps,
                        rowStep);
            }
        };
        return workers -> workers.parallelFor(tasks, task);
    }

    public static void run(Workers workers, boolean max, float[] in, float[] out, int planes, int ih, int iw, int oh, int ow, int kh,
            int kw, int sh, int sw, int pt, int pl, int pb, int pr, boolean countIncludePad) {
        prepare(max, in, out, planes, ih, iw, oh, ow, kh, kw, sh, sw, pt, pl, pb, pr, countIncludePad).accept(workers);
    }

    private static final ThreadLocal<PhasePlanes> SCRATCH = ThreadLocal.withInitial(PhasePlanes::new);

    private static void plane(boolean max, float[] in, int inBase, float[] out, int outBase, int ih, int iw, int oh, int ow, int kh,
            int kw, int sh, int sw, int pt, int pl, PhasePlanes planes, float[] rowDivisors, float[] colDivisors, int[] taps, int rowStep) {
        planes.load(in, inBase, ih, iw, oh, ow, kh, kw, sh, sw, pt, pl, 1, 1, max ? Float.NEGATIVE_INFINITY : 0f);
        float[] src = planes.data();
        for (int oy = 0; oy < oh; oy++) {
            int rowIn = oy * rowStep;
            int rowOut = outBase + oy * ow;
            // the last vector of a row reads past its end, into the padding, the next row or the planes'
            // slack: values in lanes that are never stored
            for (int ox = 0; ox < ow; ox += L) {
                int at = rowIn + ox;
                FloatVector acc = FloatVector.fromArray(S, src, taps[0] + at);
                if (max) {
                    for (int t = 1; t < taps.length; t++) {
                        acc = acc.max(FloatVector.fromArray(S, src, taps[t] + at));
                    }
                } else {
                    for (int t = 1; t < taps.length; t++) {
                        acc = acc.add(FloatVector.fromArray(S, src, taps[t] + at));
                    }
                    acc = acc.div(FloatVector.fromArray(S, colDivisors, ox).mul(rowDivisors[oy]));
                }
                if (ox + L <= ow) {
                    acc.intoArray(out, rowOut + ox);
                } else {
                    acc.intoArray(out, rowOut + ox, S.indexInRange(ox, ow));
                }
            }
        }
    }

    /**
     * The average's divisor along one axis, per output index: the window clipped to the padded input
     * (PyTorch's count_include_pad), or to the input itself. The 2-D divisor is the product of the two axes'.
     */
    private static float[] divisors(int in, int out, int k, int s, int padBefore, int padAfter, boolean countIncludePad) {
        float[] d = new float[out + L];
        for (int o = 0; o < out; o++) {
            int start = o * s - padBefore;
            int end = Math.min(start + k, in + padAfter);
            d[o] = countIncludePad ? end - start : Math.max(1, Math.min(end, in) - Math.max(start, 0));
        }
        for (int o = out; o < d.length; o++) {
            d[o] = 1;
        }
        return d;
    }
}
