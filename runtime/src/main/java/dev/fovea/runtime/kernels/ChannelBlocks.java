package dev.fovea.runtime.kernels;

import java.util.Arrays;

/**
 * The channel-blocked activation layout that chains of {@link ChannelVectorConv} and
 * {@link BlockedDepthwise} pass between them:
 * per sample [C / 16][H][W][16], so the 16 channels of one pixel are one vector. A kernel that
 * vectorises over output channels then stores its results and reads a residual with plain vector
 * accesses, and broadcasts its input pixels from consecutive floats. A tensor whose channel count is a
 * multiple of {@link #BLOCK} occupies exactly the floats it does in NCHW; one that is not, such as
 * MobileNet v2's 24-channel tensors, may take it {@link #padsWell padded}: its last block holds zeros
 * after its last channel, and a sample takes {@link #padded} channels' floats.
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

        /** Floats of one sample of {@code channels} channels, in whole blocks. */
        public int floats(int channels) {
            return padded(channels) * height * width;
        }

        /**
         * Zeroes the border of plane {@code plane} (a sample's channel blocks, then the next sample's) of a
         * tensor of h x w pixels laid out in this frame in {@code framed}: rows above and below it whole,
         * the columns left and right of it.
         */
        public void zeroBorder(float[] framed, int plane, int h, int w) {
            int rowFloats = width * BLOCK;
            int at = plane * height * rowFloats;
            Arrays.fill(framed, at, at + top * rowFloats, 0f);
            for (int y = top; y < top + h; y++) {
                int row = at + y * rowFloats;
                Arrays.fill(framed, row, row + left * BLOCK, 0f);
                Arrays.fill(framed, row + (left + w) * BLOCK, row + rowFloats, 0f);
            }
            Arrays.fill(framed, at + (top + h) * rowFloats, at + height * rowFloats, 0f);
        }
    }

    /** Whether a tensor of this many channels fills whole blocks. */
    public static boolean fits(int channels) {
        return channels % BLOCK == 0;
    }

    /** Channels a blocked tensor of this many channels holds: whole blocks, zeros after its last channel. */
    public static int padded(int channels) {
        return (channels + BLOCK - 1) / BLOCK * BLOCK;
    }

    /** Floats of one blocked sample of {@code channels} x {@code positions}: its last block's zeros too. */
    public static int sampleFloats(int channels, int positions) {
        return padded(channels) * positions;
    }

    /**
     * Whether a tensor of this many channels that does not fill whole blocks is worth blocking with zeros in
     * its last block: at most a third more floats than it has (24 channels in two blocks of 16, not 8 in one).
     */
    public static boolean padsWell(int channels) {
        return !fits(channels) && 3 * padded(channels) <= 4 * channels;
    }

    /** Offset of (channel, position) within one sample of {@code positions} positions per channel. */
    public static int offset(int channel, int position, int positions) {
        return (channel / BLOCK * positions + position) * BLOCK + channel % BLOCK;
    }

    /** NCHW to blocked, {@code n} samples of {@code channels} x {@code positions}; a padded block's zeros are dst's own. */
    public static void fromNchw(float[] src, float[] dst, int n, int channels, int positions) {
        int size = channels * positions;
        int blocked = sampleFloats(channels, positions);
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < positions; p++) {
                    dst[s * blocked + offset(c, p, positions)] = src[s * size + c * positions + p];
                }
            }
        }
    }

    /** Blocked to NCHW, {@code n} samples of {@code channels} x {@code positions}. */
    public static void toNchw(float[] src, float[] dst, int n, int channels, int positions) {
        int size = channels * positions;
        int blocked = sampleFloats(channels, positions);
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < positions; p++) {
                    dst[s * size + c * positions + p] = src[s * blocked + offset(c, p, positions)];
                }
            }
        }
    }
}
