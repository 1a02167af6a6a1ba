package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pooling on {@link ChannelBlocks} tensors: one vector holds 16 channels of a pixel, so a window is a
 * vector max over its taps, with no phase planes and no wasted lanes at a row's end. Results are
 * PyTorch's, as {@link Reference#pool2d} and {@link Reference#adaptiveAvgPool2d} define them.
 */
public final class BlockedPooling {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private BlockedPooling() {
    }

    /**
     * Max pooling (dilation 1), blocked to blocked: a task per output row of one channel block. Taps in
     * the padding are skipped, as -infinity would lose to any value inside. A 3x3 window at column
     * stride 2 (the stems' pools) or 1 (Inception's branch pools) takes {@link #maxThreeWide}'s path.
     */
    public static Consumer<Workers> max(float[] in, float[] out, int n, int channels, int ih, int iw, int oh, int ow, int kh, int kw,
            int sh, int sw, int pt, int pl) {
        return max(in, out, new ChannelBlocks.Frame(oh, ow, 0, 0), n, channels, ih, iw, oh, ow, kh, kw, sh, sw, pt, pl);
    }

    /**
     * As above, the output written inside {@code outFrame} (the zero border the next convolution's window
     * reads), which it leaves as it is.
     */
    public static Consumer<Workers> max(float[] in, float[] out, ChannelBlocks.Frame outFrame, int n, int channels, int ih, int iw, int oh,
            int ow, int kh, int kw, int sh, int sw, int pt, int pl) {
        return max(in, out, 0, outFrame, n, channels, ih, iw, oh, ow, kh, kw, sh, sw, pt, pl);
    }

    /**
     * As above, the output's first sample written from {@code outBase}: a stem that pools each sample as its
     * convolution finishes it reads one sample and writes it among the batch's.
     */
    public static Consumer<Workers> max(float[] in, float[] out, int outBase, ChannelBlocks.Frame outFrame, int n, int channels, int ih,
            int iw, int oh, int ow, int kh, int kw, int sh, int sw, int pt, int pl) {
        int blocks = n * channels / L;
        IntConsumer row = threeWide(ih, iw, oh, ow, kh, kw, sh, sw, pt, pl)
                ? t -> maxThreeWide(in, out, t / oh, t % oh, ih, iw, outBase + outRow(outFrame, t / oh, t % oh), ow, sh, sw, pt, pl)
                : t -> maxAny(in, out, t / oh, t % oh, ih, iw, outBase + outRow(outFrame, t / oh, t % oh), ow, kh, kw, sh, sw, pt, pl);
        return workers -> workers.parallelFor(blocks * oh, row);
    }

    /** Where output row {@code oy} of channel block {@code block} (of every sample) starts inside {@code f}. */
    private static int outRow(ChannelBlocks.Frame f, int block, int oy) {
        return (block * f.height() * f.width() + (oy + f.top()) * f.width() + f.left()) * L;
    }

    /** Whether the window is 3x3 at column stride 1 or 2 and every window holds a tap inside the map. */
    static boolean threeWide(int ih, int iw, int oh, int ow, int kh, int kw, int sh, int sw, int pt, int pl) {
        return kh == 3 && kw == 3 && (sw == 1 || sw == 2) && pt <= 2 && pl <= 2 && (oh - 1) * sh - pt < ih && (ow - 1) * sw - pl < iw;
    }

    /** One output row of channel block {@code block}, written from {@code at}. */
    private static void maxAny(float[] in, float[] out, int block, int oy, int ih, int iw, int at, int ow, int kh, int kw, int sh,
            int sw, int pt, int pl) {
        int inBase = block * ih * iw * L;
        int y0 = Math.max(0, oy * sh - pt);
        int y1 = Math.min(ih, oy * sh - pt + kh);
        for (int ox = 0; ox < ow; ox++, at += L) {
            int x0 = Math.max(0, ox * sw - pl);
            int x1 = Math.min(iw, ox * sw - pl + kw);
            FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int y = y0; y < y1; y++) {
                for (int x = x0, i = inBase + (y * iw + x0) * L; x < x1; x++, i += L) {
                    acc = acc.max(FloatVector.fromArray(S, in, i));
                }
            }
            acc.intoArray(out, at);
        }
    }

    /**
     * One output row (written from {@code at}) of a 3x3 window at column stride 1 or 2: each column's maximum
     * over the three rows is taken once, and an output is the maximum of three column maxima, of which it
     * shares two with the output before at stride 1 and one at stride 2: 3 or 6 loads instead of 9. A tap in
     * the padding reads the nearest row or column inside instead, which the window holds anyway and the
     * maximum takes twice to no effect.
     */
    private static void maxThreeWide(float[] in, float[] out, int block, int oy, int ih, int iw, int at, int ow, int sh, int sw, int pt,
            int pl) {
        int inBase = block * ih * iw * L;
        int y = oy * sh - pt;
        int r0 = inBase + clamp(y, ih) * iw * L;
        int r1 = inBase + clamp(y + 1, ih) * iw * L;
        int r2 = inBase + clamp(y + 2, ih) * iw * L;
        int x = -pl;
        // (kept inline: a helper returning a vector would box it when left out of line)
        int c = clamp(x, iw) * L;
        FloatVector left = FloatVector.fromArray(S, in, r0 + c).max(FloatVector.fromArray(S, in, r1 + c))
                .max(FloatVector.fromArray(S, in, r2 + c));
        c = clamp(x + 1, iw) * L;
        FloatVector middle = FloatVector.fromArray(S, in, r0 + c).max(FloatVector.fromArray(S, in, r1 + c))
                .max(FloatVector.fromArray(S, in, r2 + c));
        for (int ox = 0; ox < ow; ox++, at += L, x += sw) {
            if (sw == 2 && ox > 0) {
                c = clamp(x + 1, iw) * L;
                middle = FloatVector.fromArray(S, in, r0 + c).max(FloatVector.fromArray(S, in, r1 + c))
                        .max(FloatVector.fromArray(S, in, r2 + c));
            }
            c = clamp(x + 2, iw) * L;
            FloatVector right = FloatVector.fromArray(S, in, r0 + c).max(FloatVector.fromArray(S, in, r1 + c))
                    .max(FloatVector.fromArray(S, in, r2 + c));
            left.max(middle).max(right).intoArray(out, at);
            left = sw == 1 ? middle : right;
            middle = right;
        }
    }

    private static int clamp(int i, int size) {
        return Math.max(0, Math.min(size - 1, i));
    }

    /**
     * A blocked tensor copied into NCHW, {@code n} samples of {@code channels} x {@code positions}: adaptive
     * average pooling to the input's own size, which changes no value. A task per sample and channel block.
     */
    public static Consumer<Workers> unblock(float[] in, float[] out, int n, int channels, int positions) {
        int blocks = channels / L;
        IntConsumer task = t -> {
            int sample = t / blocks;
            int channel0 = t % blocks * L;
            int from = (sample * blocks + t % blocks) * positions * L;
            for (int lane = 0; lane < L; lane++) {
                int to = (sample * channels + channel0 + lane) * positions;
                for (int p = 0; p < positions; p++) {
                    out[to + p] = in[from + p * L + lane];
                }
            }
        };
        return workers -> workers.parallelFor(n * blocks, task);
    }

    /**
     * Global average pooling, blocked in: a sample's output (channels x 1 x 1) is laid out alike in
     * NCHW and in blocks, so it is written for any reader. A task per channel block.
     */
    public static Consumer<Workers> globalAverage(float[] in, float[] out, int n, int channels, int positions) {
        float inverse = 1f / positions;
        IntConsumer task = block -> {
            int base = block * positions * L;
            FloatVector sum = FloatVector.zero(S);
            for (int p = 0; p < positions; p++) {
                sum = sum.add(FloatVector.fromArray(S, in, base + p * L));
            }
            sum.mul(inverse).intoArray(out, block * L);
        };
        return workers -> workers.parallelFor(n * channels / L, task);
    }
}
