package dev.fovea.runtime.kernels;

/**
 * The channel-blocked activation layout that chains of {@link ChannelVectorConv} and
 * {@link BlockedDepthwise} pass between them:
 * per sample [C / 16][H][W][16], so the 16 channels of one pixel are one vector. A kernel that
 * vectorises over output channels then stores its results and reads a residual with plain vector
 * accesses, and broadcasts its input pixels from consecutive floats. Only tensors whose channel count
 * is a multiple of {@link #BLOCK} take it; a sample occupies exactly the floats it does in NCHW.
 */
public final class ChannelBlocks {
    /** Channels per block: one vector of the preferred species. */
    public static final int BLOCK = ChannelVectorConv.L;

    private ChannelBlocks() {
    }

    /** Whether a tensor of this many channels can be blocked. */
    public static boolean fits(int channels) {
        return channels % BLOCK == 0;
    }

    /** Offset of (channel, position) within one sample of {@code positions} positions per channel. */
    public static int offset(int channel, int position, int positions) {
        return (channel / BLOCK * positions + position) * BLOCK + channel % BLOCK;
    }

    /** NCHW to blocked, {@code n} samples of {@code channels} x {@code positions}. */
    public static void fromNchw(float[] src, float[] dst, int n, int channels, int positions) {
        int size = channels * positions;
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < positions; p++) {
                    dst[s * size + offset(c, p, positions)] = src[s * size + c * positions + p];
                }
            }
        }
    }

    /** Blocked to NCHW, {@code n} samples of {@code channels} x {@code positions}. */
    public static void toNchw(float[] src, float[] dst, int n, int channels, int positions) {
        int size = channels * positions;
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < positions; p++) {
                    dst[s * size + c * positions + p] = src[s * size + offset(c, p, positions)];
                }
            }
        }
    }
}
