package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.function.Consumer;

/**
 * Whole channel planes moved without arithmetic, forward and backward side by side: a split takes a range
 * of channels, a shuffle interleaves groups (ShuffleNet). Tensors are N x C x H x W; one task per sample.
 */
public final class ChannelMoves {
    private ChannelMoves() {}

    /** y[b, c] = x[b, start + c] for c < outChannels. x: N x inChannels x P, y: N x outChannels x P. */
    public static Consumer<Workers> split(float[] x, float[] y, int batch, int inChannels, int start, int outChannels, int positions) {
        return workers -> workers.parallelFor(batch, b ->
                System.arraycopy(x, (b * inChannels + start) * positions, y, b * outChannels * positions, outChannels * positions));
    }

    /** dx[b, start + c] += dy[b, c]: the split's backward; the other channels get nothing from it. */
    public static Consumer<Workers> splitBackward(float[] dy, float[] dx, int batch, int inChannels, int start, int outChannels, int positions) {
        return workers -> workers.parallelFor(batch, b -> {
            int from = b * outChannels * positions;
            int to = (b * inChannels + start) * positions;
            for (int i = 0; i < outChannels * positions; i++) {
                dx[to + i] += dy[from + i];
            }
        });
    }

    /**
     * Each plane moved by (offsetY, offsetX): y[b, c, i, j] = x[b, c, i - offsetY, j - offsetX] where that is
     * inside x, zero elsewhere; padding (positive offsets) and cropping (negative) alike. Planes: N*C.
     */
    public static Consumer<Workers> shift(float[] x, float[] y, int planes, int inH, int inW, int outH, int outW, int offsetY, int offsetX) {
        int from = Math.max(0, offsetX);
        int to = Math.min(outW, inW + offsetX);
        return workers -> workers.parallelFor(planes, p -> {
            java.util.Arrays.fill(y, p * outH * outW, (p + 1) * outH * outW, 0f);
            for (int i = Math.max(0, offsetY); i < Math.min(outH, inH + offsetY); i++) {
                System.arraycopy(x, (p * inH + i - offsetY) * inW + from - offsetX, y, (p * outH + i) * outW + from, to - from);
            }
        });
    }

    /** dx[b, c, i - offsetY, j - offsetX] += dy[b, c, i, j] where both are inside: the shift's backward. */
    public static Consumer<Workers> shiftBackward(float[] dy, float[] dx, int planes, int inH, int inW, int outH, int outW, int offsetY,
            int offsetX) {
        int from = Math.max(0, offsetX);
        int to = Math.min(outW, inW + offsetX);
        return workers -> workers.parallelFor(planes, p -> {
            for (int i = Math.max(0, offsetY); i < Math.min(outH, inH + offsetY); i++) {
                int src = (p * outH + i) * outW;
                int dst = (p * inH + i - offsetY) * inW - offsetX;
                for (int j = from; j < to; j++) {
                    dx[dst + j] += dy[src + j];
                }
            }
        });
    }

    /** The input channel that output channel {@code j} of a shuffle of {@code groups} groups takes. */
    public static int shuffledSource(int j, int channels, int groups) {
        return (j % groups) * (channels / groups) + j / groups;
    }

    /** y[b, j] = x[b, shuffledSource(j)]. x, y: N x C x P. */
    public static Consumer<Workers> shuffle(float[] x, float[] y, int batch, int channels, int groups, int positions) {
        return workers -> workers.parallelFor(batch, b -> {
            for (int j = 0; j < channels; j++) {
                System.arraycopy(x, (b * channels + shuffledSource(j, channels, groups)) * positions, y, (b * channels + j) * positions, positions);
            }
        });
    }

    /** dx[b, shuffledSource(j)] += dy[b, j]: the shuffle's backward. */
    public static Consumer<Workers> shuffleBackward(float[] dy, float[] dx, int batch, int channels, int groups, int positions) {
        return workers -> workers.parallelFor(batch, b -> {
            for (int j = 0; j < channels; j++) {
                int from = (b * channels + j) * positions;
                int to = (b * channels + shuffledSource(j, channels, groups)) * positions;
                for (int i = 0; i < positions; i++) {
                    dx[to + i] += dy[from + i];
                }
            }
        });
    }
}
