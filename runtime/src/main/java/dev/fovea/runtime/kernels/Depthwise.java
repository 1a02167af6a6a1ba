package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise convolution (one filter per channel, groups = channels) computed directly, plane by plane:
 * each plane is laid out in {@link PhasePlanes}, so that every tap is a contiguous run along an output
 * row whatever the stride, dilation and padding, and each row is computed a vector at a time (masked at
 * its end). A GEMM would use one row of its eight-row tiles here. The epilogue is the GEMM's.
 */
public final class Depthwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private final ConvGeometry g;
    private final float[] weight;
    /** Each tap's offset in the laid-out plane for output row 0, and the step per output row. */
    private final int[] taps;
    private final int rowStep;
    // The call in progress, read by a task made once (a call allocates nothing).
    private float[] callIn;
    private float[] callOut;
    private Epilogue callEpilogue;
    private final java.util.function.IntConsumer planeTask;

    /** {@code weight} is channels x 1 x kh x kw. */
    public Depthwise(ConvGeometry g, float[] weight) {
        if (!g.isDepthwise()) {
            throw new IllegalArgumentException("not a depthwise convolution: " + g);
        }
        this.g = g;
        this.weight = weight.clone();
        this.taps = PhasePlanes.tapOffsets(g.oh(), g.ow(), g.kh(), g.kw(), g.sh(), g.sw(), g.dh(), g.dw());
        this.rowStep = PhasePlanes.rowStep(g.ow(), g.kw(), g.sh(), g.sw(), g.dw());
        this.planeTask = p -> plane(callIn, callOut, p / g.co(), p % g.co(), callEpilogue);
    }

    public void run(Workers workers, float[] in, float[] out, int n, Epilogue e) {
        callIn = in;
        callOut = out;
        callEpilogue = e;
        workers.parallelFor(n * g.co(), planeTask);
    }

    private void plane(float[] in, float[] out, int sample, int channel, Epilogue e) {
        int oh = g.oh();
        int ow = g.ow();
        int inBase = (sample * g.ci() + channel) * g.ih() * g.iw();
        int outBase = (sample * g.co() + channel) * oh * ow;
        int wBase = channel * taps.length;
        PhasePlanes planes = SCRATCH.get();
        planes.load(in, inBase, g.ih(), g.iw(), oh, ow, g.kh(), g.kw(), g.sh(), g.sw(), g.pt(), g.pl(), g.dh(), g.dw(), 0f);
        float[] src = planes.data();
        float bias = e.bias() == null ? 0 : e.bias()[channel];
        for (int oy = 0; oy < oh; oy++) {
            int rowIn = oy * rowStep;
            int rowOut = outBase + oy * ow;
            int ox = 0;
            for (; ox + L <= ow; ox += L) {
                FloatVector acc = FloatVector.broadcast(S, bias);
                for (int t = 0; t < taps.length; t++) {
                    acc = FloatVector.broadcast(S, weight[wBase + t]).fma(FloatVector.fromArray(S, src, taps[t] + rowIn + ox), acc);
                }
                acc.intoArray(out, rowOut + ox);
            }
            if (ox < ow) {
                VectorMask<Float> m = S.indexInRange(ox, ow);
                FloatVector acc = FloatVector.broadcast(S, bias);
                for (int t = 0; t < taps.length; t++) {
                    acc = FloatVector.broadcast(S, weight[wBase + t]).fma(FloatVector.fromArray(S, src, taps[t] + rowIn + ox, m), acc);
                }
                acc.intoArray(out, rowOut + ox, m);
            }
        }
        finish(out, outBase, oh * ow, e, outBase);
    }

    private static final ThreadLocal<PhasePlanes> SCRATCH = ThreadLocal.withInitial(PhasePlanes::new);

    /** The epilogue after the bias: residual, accumulation and activation over one plane. */
    private static void finish(float[] out, int base, int count, Epilogue e, int residualBase) {
        if (e.residual() == null && !e.accumulate() && e.activation() == Activation.NONE) {
            return;
        }
        if (e.residual() != null) {
            ChannelOps.add(out, base, e.residual(), residualBase, out, base, count);
        }
        VectorActivations.apply(out, base, base + count, e.activation(), e.slope());
    }
}
