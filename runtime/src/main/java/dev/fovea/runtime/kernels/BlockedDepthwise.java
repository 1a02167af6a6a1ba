package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise convolution from and to {@link ChannelBlocks} tensors: a vector holds 16 channels of one
 * pixel, so every tap is one vector FMA with that tap's 16 weights, and no lane is wasted on a row's
 * end. The input is read from {@link PaddedBlocks} (or in place when no tap leaves it); a task is one
 * output row of one channel block, computed four pixels at a time.
 */
public final class BlockedDepthwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Output pixels computed together, sharing each tap's weight vector. */
    private static final int PX = 4;

    private final ConvGeometry g;
    /** [C / 16][kh * kw][16]. */
    private final float[] weight;
    private final PaddedBlocks padded;
    /** For each tap, its offset from the output pixel's own offset in a source plane. */
    private final int[] taps;
    private final int planeFloats;
    private final int rowStep;
    private final int pixelStep;
    private final float[] noBias;

    private float[] callIn;
    private int callInBase;
    private float[] callSource;
    private float[] callOut;
    private int callOutBase;
    private Epilogue callEpilogue;
    private final IntConsumer copyTask;
    private final IntConsumer rowTask;

    /** Whether it applies: a depthwise convolution of whole channel blocks, dilation 1, a cheap activation. */
    public static boolean handles(ConvGeometry g, Activation activation) {
        return g.isDepthwise() && ChannelBlocks.fits(g.ci()) && g.dh() == 1 && g.dw() == 1 && VectorActivations.isCheap(activation);
    }

    /** {@code weight} is channels x 1 x kh x kw. */
    public BlockedDepthwise(ConvGeometry g, float[] weight) {
        if (!g.isDepthwise() || !ChannelBlocks.fits(g.ci()) || g.dh() != 1 || g.dw() != 1) {
            throw new IllegalArgumentException("not a blocked depthwise convolution: " + g);
        }
        this.g = g;
        int area = g.kh() * g.kw();
        this.weight = new float[g.co() * area];
        for (int c = 0; c < g.co(); c++) {
            for (int t = 0; t < area; t++) {
                this.weight[(c / L * area + t) * L + c % L] = weight[c * area + t];
            }
        }
        boolean inside = g.pt() == 0 && g.pl() == 0 && (g.oh() - 1) * g.sh() + g.kh() <= g.ih()
                && (g.ow() - 1) * g.sw() + g.kw() <= g.iw();
        this.padded = inside ? null : new PaddedBlocks(g);
        int h = inside ? g.ih() : padded.ph;
        int w = inside ? g.iw() : padded.pw;
        this.planeFloats = h * w * L;
        this.rowStep = g.sh() * w * L;
        this.pixelStep = g.sw() * L;
        this.taps = new int[area];
        for (int ky = 0; ky < g.kh(); ky++) {
            for (int kx = 0; kx < g.kw(); kx++) {
                taps[ky * g.kw() + kx] = (ky * w + kx) * L;
            }
        }
        this.noBias = new float[g.co()];
        this.copyTask = t -> padded.copy(callIn, callInBase, callSource, t);
        this.rowTask = t -> row(t / g.oh(), t % g.oh());
    }

    /** Floats of workspace a call needs: one sample's padded input. */
    public int workspaceSize() {
        return padded == null ? 0 : padded.size();
    }

    public void run(Workers workers, float[] in, float[] out, int n, Epilogue e, float[] workspace) {
        callIn = in;
        callOut = out;
        callEpilogue = e;
        callSource = padded == null ? in : workspace;
        for (int sample = 0; sample < n; sample++) {
            callInBase = sample * g.inputSize();
            callOutBase = sample * g.outputSize();
            if (padded != null) {
                workers.parallelFor(padded.copyTasks(), copyTask);
            }
            workers.parallelFor(g.co() / L * g.oh(), rowTask);
        }
    }

    /** Output row y of channel block cb. */
    private void row(int cb, int y) {
        float[] src = callSource;
        int rowBase = (padded == null ? callInBase : 0) + cb * planeFloats + y * rowStep;
        int wBase = cb * taps.length * L;
        int out = callOutBase + (cb * g.positions() + y * g.ow()) * L;
        Epilogue e = callEpilogue;
        FloatVector bias = FloatVector.fromArray(S, e.bias() == null ? noBias : e.bias(), cb * L);
        int ow = g.ow();
        int x = 0;
        for (; x + PX <= ow; x += PX) {
            int at = rowBase + x * pixelStep;
            FloatVector a0 = bias;
            FloatVector a1 = bias;
            FloatVector a2 = bias;
            FloatVector a3 = bias;
            for (int t = 0; t < taps.length; t++) {
                FloatVector w = FloatVector.fromArray(S, weight, wBase + t * L);
                int i = at + taps[t];
                a0 = w.fma(FloatVector.fromArray(S, src, i), a0);
                a1 = w.fma(FloatVector.fromArray(S, src, i + pixelStep), a1);
                a2 = w.fma(FloatVector.fromArray(S, src, i + 2 * pixelStep), a2);
                a3 = w.fma(FloatVector.fromArray(S, src, i + 3 * pixelStep), a3);
            }
            a0.intoArray(callOut, out + x * L);
            a1.intoArray(callOut, out + (x + 1) * L);
            a2.intoArray(callOut, out + (x + 2) * L);
            a3.intoArray(callOut, out + (x + 3) * L);
        }
        for (; x < ow; x++) {
            int at = rowBase + x * pixelStep;
            FloatVector a = bias;
            for (int t = 0; t < taps.length; t++) {
                a = FloatVector.fromArray(S, weight, wBase + t * L).fma(FloatVector.fromArray(S, src, at + taps[t]), a);
            }
            a.intoArray(callOut, out + x * L);
        }
        finish(out, ow * L, e);
    }

    /**
     * The rest of the epilogue over a row just written, from L1: residual and activation. The row's
     * loop stores plain sums because a vector passed to a helper the JIT leaves out of line is boxed.
     */
    private void finish(int at, int count, Epilogue e) {
        if (e.residual() != null) {
            ChannelOps.add(callOut, at, e.residual(), at, callOut, at, count);
        }
        VectorActivations.apply(callOut, at, at + count, e.activation(), e.slope());
    }
}
