package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise convolution from and to {@link ChannelBlocks} tensors: a vector holds 16 channels of one
 * pixel, so every tap is one vector FMA with that tap's 16 weights, and no lane is wasted on a row's
 * end. The input is read in place, padding included: a tap that falls in the padding is skipped, so
 * nothing is copied and the whole batch is one parallel job. A task is one output row of one channel
 * block of one sample; the pixels whose taps all lie inside the input's columns are computed four at
 * a time, the few at the edges one by one.
 */
public final class BlockedDepthwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Output pixels computed together, sharing each tap's weight vector. */
    private static final int PX = 4;

    private final ConvGeometry g;
    /** [C / 16][kh * kw][16]. */
    private final float[] weight;
    /** Output columns [firstInside, endInside) read no padding column. */
    private final int firstInside;
    private final int endInside;
    private final float[] noBias;

    private float[] callIn;
    private float[] callOut;
    private Epilogue callEpilogue;
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
        this.weight = pack(g, weight);
        // x * sw - pl >= 0 and x * sw - pl + kw <= iw
        this.firstInside = Math.min(g.ow(), (g.pl() + g.sw() - 1) / g.sw());
        int last = g.iw() - g.kw() + g.pl() < 0 ? -1 : (g.iw() - g.kw() + g.pl()) / g.sw();
        this.endInside = Math.max(firstInside, Math.min(g.ow(), last + 1));
        this.noBias = new float[g.co()];
        int rows = g.co() / L * g.oh();
        this.rowTask = t -> row(t / rows, t % rows / g.oh(), t % g.oh());
    }

    /** Weights channels x 1 x kh x kw as [C / 16][kh * kw][16]: a tap's 16 channels in one vector. */
    static float[] pack(ConvGeometry g, float[] weight) {
        int area = g.kh() * g.kw();
        float[] packed = new float[g.co() * area];
        for (int c = 0; c < g.co(); c++) {
            for (int t = 0; t < area; t++) {
                packed[(c / L * area + t) * L + c % L] = weight[c * area + t];
            }
        }
        return packed;
    }

    /** Floats of workspace a call needs: none, the input is read in place. */
    public int workspaceSize() {
        return 0;
    }

    public void run(Workers workers, float[] in, float[] out, int n, Epilogue e, float[] workspace) {
        callIn = in;
        callOut = out;
        callEpilogue = e;
        workers.parallelFor(n * (g.co() / L) * g.oh(), rowTask);
    }

    /** Output row y of channel block cb of {@code sample}: [ow][16] from the input rows its window covers. */
    private void row(int sample, int cb, int y) {
        float[] src = callIn;
        int iw = g.iw();
        int kw = g.kw();
        int top = y * g.sh() - g.pt();
        int ky0 = Math.max(0, -top);
        int ky1 = Math.min(g.kh(), g.ih() - top);
        int plane = sample * g.inputSize() + cb * g.ih() * iw * L;
        int wBase = cb * g.kh() * kw * L;
        int out = sample * g.outputSize() + (cb * g.positions() + y * g.ow()) * L;
        int pixelStep = g.sw() * L;
        Epilogue e = callEpilogue;
        float[] biases = e.bias() == null ? noBias : e.bias();
        int x = 0;
        for (; x < firstInside; x++) {
            edgePixel(plane, top, ky0, ky1, wBase, x, biases, cb, out);
        }
        for (; x + PX <= endInside; x += PX) {
            fourPixels(src, plane + ((top + ky0) * iw + x * g.sw() - g.pl()) * L, iw * L, pixelStep, ky1 - ky0, kw, weight,
                    wBase + ky0 * kw * L, biases, cb * L, callOut, out + x * L);
        }
        for (; x < g.ow(); x++) {
            edgePixel(plane, top, ky0, ky1, wBase, x, biases, cb, out);
        }
        finish(out, g.ow() * L, e);
    }

    /**
     * Four consecutive output pixels of one channel block whose taps all lie in {@code src}: sums from the
     * bias (at {@code biasAt} in {@code biases}) over {@code rows} rows of {@code kw} taps, in order. The
     * first pixel's first tap is at {@code at}, the rows {@code rowStride} floats apart, the pixels
     * {@code pixelStep}; the weights of those rows start at {@code wAt}, [rows][kw][L].
     */
    static void fourPixels(float[] src, int at, int rowStride, int pixelStep, int rows, int kw, float[] weight, int wAt, float[] biases,
            int biasAt, float[] dst, int out) {
        FloatVector a0 = FloatVector.fromArray(S, biases, biasAt);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int ky = 0; ky < rows; ky++) {
            int row = at + ky * rowStride;
            for (int kx = 0; kx < kw; kx++) {
                FloatVector w = FloatVector.fromArray(S, weight, wAt + (ky * kw + kx) * L);
                int i = row + kx * L;
                a0 = w.fma(FloatVector.fromArray(S, src, i), a0);
                a1 = w.fma(FloatVector.fromArray(S, src, i + pixelStep), a1);
                a2 = w.fma(FloatVector.fromArray(S, src, i + 2 * pixelStep), a2);
                a3 = w.fma(FloatVector.fromArray(S, src, i + 3 * pixelStep), a3);
            }
        }
        a0.intoArray(dst, out);
        a1.intoArray(dst, out + L);
        a2.intoArray(dst, out + 2 * L);
        a3.intoArray(dst, out + 3 * L);
    }

    /** Output pixel x of a row, its taps in padding columns skipped (and in padding rows, by [ky0, ky1)). */
    private void edgePixel(int plane, int top, int ky0, int ky1, int wBase, int x, float[] biases, int cb, int out) {
        int iw = g.iw();
        int kw = g.kw();
        int left = x * g.sw() - g.pl();
        int kx0 = Math.max(0, -left);
        int kx1 = Math.min(kw, iw - left);
        FloatVector a = FloatVector.fromArray(S, biases, cb * L);
        for (int ky = ky0; ky < ky1; ky++) {
            int at = plane + ((top + ky) * iw + left) * L;
            for (int kx = kx0; kx < kx1; kx++) {
                a = FloatVector.fromArray(S, weight, wBase + (ky * kw + kx) * L).fma(FloatVector.fromArray(S, callIn, at + kx * L), a);
            }
        }
        a.intoArray(callOut, out + x * L);
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
