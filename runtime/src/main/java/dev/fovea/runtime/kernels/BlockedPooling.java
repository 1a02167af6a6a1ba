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
     * the padding are skipped, as -infinity would lose to any value inside.
     */
    public static Consumer<Workers> max(float[] in, float[] out, int n, int channels, int ih, int iw, int oh, int ow, int kh, int kw,
            int sh, int sw, int pt, int pl) {
        int blocks = n * channels / L;
        IntConsumer row = t -> {
            int block = t / oh;
            int oy = t % oh;
            int inBase = block * ih * iw * L;
            int at = (block * oh * ow + oy * ow) * L;
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
        };
        return workers -> workers.parallelFor(blocks * oh, row);
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
