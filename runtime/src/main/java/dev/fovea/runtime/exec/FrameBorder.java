package dev.fovea.runtime.exec;

import dev.fovea.runtime.kernels.ChannelBlocks;
import java.util.function.IntConsumer;

/**
 * The border of a framed tensor, zeroed before its writer writes when the array held a tensor of another
 * frame since: one task per channel block of a sample, built once so that a pass allocates nothing.
 */
final class FrameBorder {
    private final int planes;
    private final IntConsumer zeroPlane;

    /** The border around {@code samples} samples of {@code channels} x h x w laid out in frame f in {@code framed}. */
    FrameBorder(ChannelBlocks.Frame f, float[] framed, int samples, int channels, int h, int w) {
        this.planes = samples * (ChannelBlocks.padded(channels) / ChannelBlocks.BLOCK);
        this.zeroPlane = plane -> f.zeroBorder(framed, plane, h, w);
    }

    void zero(Workers workers) {
        workers.parallelFor(planes, zeroPlane);
    }
}
