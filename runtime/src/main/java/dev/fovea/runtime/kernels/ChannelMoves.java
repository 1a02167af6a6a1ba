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
