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

    /**
     * Where a blocked tensor is stored inside a zero border: each channel block is a plane of height x
     * width pixels, with the tensor's pixel (0, 0) at (top, left). A convolution that writes its output
     * so spares the next one, whose window needs the border, a padded copy of its input.
     */
    public record Frame(int height, int width, int top, int left) {
        /** The frame a convolution's window reads its input in: its padding, and room for every tap. */
        public static Frame around(ConvGeometry g) {
            return new Frame(Math.max(g.pt() + g.ih(), (g.oh() - 1) * g.sh() + g.kh()), Math.max(g.pl() + g.iw(), (g.ow() - 1) * g.sw() + g.kw()),
                    g.pt(), g.pl());
        }

        /** Floats of one sample of {@code channels} channels. */
        public int floats(int channels) {
            return channels * height * width;
        }
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
