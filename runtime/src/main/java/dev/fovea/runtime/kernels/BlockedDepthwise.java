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
 * block of one sample, computed four pixels at a time; the blocks at the row's ends check each tap's
 * column.
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
        int area = g.kh() * g.kw();
        this.weight = new float[g.co() * area];
        for (int c = 0; c < g.co(); c++) {
            for (int t = 0; t < area; t++) {
                this.weight[(c / L * area + t) * L + c % L] = weight[c * area + t];
            }
        }
        // x * sw - pl >= 0 and x * sw - pl + kw <= iw
        this.firstInside = Math.min(g.ow(), (g.pl() + g.sw() - 1) / g.sw());
        int last = g.iw() - g.kw() + g.pl() < 0 ? -1 : (g.iw() - g.kw() + g.pl()) / g.sw();
        this.endInside = Math.max(firstInside, Math.min(g.ow(), last + 1));
        this.noBias = new float[g.co()];
        int rows = g.co() / L * g.oh();
        this.rowTask = t -> row(t / rows, t % rows / g.oh(), t % g.oh());
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
        FloatVector bias = FloatVector.fromArray(S, biases, cb * L);
        int x = 0;
        for (; x < firstInside; x += PX) {
            edgeBlock(plane, top, ky0, ky1, wBase, x, biases, cb, out);
        }
        for (; x + PX <= endInside; x += PX) {
            FloatVector a0 = bias;
            FloatVector a1 = bias;
            FloatVector a2 = bias;
            FloatVector a3 = bias;
            for (int ky = ky0; ky < ky1; ky++) {
                int at = plane + ((top + ky) * iw + x * g.sw() - g.pl()) * L;
                for (int kx = 0; kx < kw; kx++) {
                    FloatVector w = FloatVector.fromArray(S, weight, wBase + (ky * kw + kx) * L);
                    int i = at + kx * L;
                    a0 = w.fma(FloatVector.fromArray(S, src, i), a0);
                    a1 = w.fma(FloatVector.fromArray(S, src, i + pixelStep), a1);
                    a2 = w.fma(FloatVector.fromArray(S, src, i + 2 * pixelStep), a2);
                    a3 = w.fma(FloatVector.fromArray(S, src, i + 3 * pixelStep), a3);
                }
            }
            a0.intoArray(callOut, out + x * L);
            a1.intoArray(callOut, out + (x + 1) * L);
            a2.intoArray(callOut, out + (x + 2) * L);
            a3.intoArray(callOut, out + (x + 3) * L);
        }
        for (; x < g.ow(); x += PX) {
            edgeBlock(plane, top, ky0, ky1, wBase, x, biases, cb, out);
        }
        finish(out, g.ow() * L, e);
    }

    /**
     * Output pixels [x, x + 4) of a row that reach into the padding columns or past the row's end: the
     * pixels still run side by side, each tap skipped for the pixels whose column it misses (and every
     * tap of a padding row, by [ky0, ky1)), so that four sums, not one, are in flight. On a 7x7 map these
     * are the row's 7 pixels.
     */
    private void edgeBlock(int plane, int top, int ky0, int ky1, int wBase, int x, float[] biases, int cb, int out) {
        int iw = g.iw();
        int kw = g.kw();
        int sw = g.sw();
        int count = Math.min(PX, g.ow() - x);
        int left = x * sw - g.pl();
        float[] src = callIn;
        FloatVector a0 = FloatVector.fromArray(S, biases, cb * L);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int ky = ky0; ky < ky1; ky++) {
            int row = plane + (top + ky) * iw * L;
            for (int kx = 0; kx < kw; kx++) {
                FloatVector w = FloatVector.fromArray(S, weight, wBase + (ky * kw + kx) * L);
                int c = left + kx; // the column pixel 0 reads, the next pixels sw further each
                if (c >= 0 && c < iw) {
                    a0 = w.fma(FloatVector.fromArray(S, src, row + c * L), a0);
                }
                if (count > 1 && c + sw >= 0 && c + sw < iw) {
                    a1 = w.fma(FloatVector.fromArray(S, src, row + (c + sw) * L), a1);
                }
                if (count > 2 && c + 2 * sw >= 0 && c + 2 * sw < iw) {
                    a2 = w.fma(FloatVector.fromArray(S, src, row + (c + 2 * sw) * L), a2);
                }
                if (count > 3 && c + 3 * sw >= 0 && c + 3 * sw < iw) {
                    a3 = w.fma(FloatVector.fromArray(S, src, row + (c + 3 * sw) * L), a3);
                }
            }
        }
        a0.intoArray(callOut, out + x * L);
        if (count > 1) {
            a1.intoArray(callOut, out + (x + 1) * L);
        }
        if (count > 2) {
            a2.intoArray(callOut, out + (x + 2) * L);
        }
        if (count > 3) {
            a3.intoArray(callOut, out + (x + 3) * L);
        }
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
