package dev.fovea.runtime.kernels;

import java.util.Arrays;

/**
 * A channel-blocked sample ({@link ChannelBlocks}) copied into zero-padded planes, one per channel
 * block, each large enough for every tap of every output pixel: [C / 16][PH][PW][16]. Output pixel
 * (y, x) reads tap (ky, kx) of channel c at ((y sh + ky) PW + x sw + kx) 16 + c % 16 of its block's
 * plane, so a row of output pixels reads floats 16 sw apart, whatever the stride, without splitting
 * phases. The copy moves whole rows of 16-channel pixels.
 */
final class PaddedBlocks {
    private static final int B = ChannelBlocks.BLOCK;
    /** Plane rows per copy task. */
    private static final int ROWS_PER_COPY = 16;
    private final ConvGeometry g;
    /** Height and width of a padded plane, in pixels. */
    final int ph;
    final int pw;
    private final int rowBlocks;

    PaddedBlocks(ConvGeometry g) {
        this.g = g;
        this.ph = (g.oh() - 1) * g.sh() + g.kh();
        this.pw = (g.ow() - 1) * g.sw() + g.kw();
        this.rowBlocks = (ph + ROWS_PER_COPY - 1) / ROWS_PER_COPY;
    }

    /** Floats of all planes of one sample. */
    int size() {
        return g.ci() / B * ph * pw * B;
    }

    /** Copy tasks per sample: one per channel block and {@link #ROWS_PER_COPY} plane rows. */
    int copyTasks() {
        return g.ci() / B * rowBlocks;
    }

    /**
     * Copy task t of {@link #copyTasks()} from the blocked sample at {@code inBase}: zeros in the padding.
     * Numbered rows first, as {@link StridePhases}' copies: each worker copies the rows its tiles read next.
     */
    void copy(float[] in, int inBase, float[] planes, int t) {
        int blocks = g.ci() / B;
        int block = t % blocks;
        int first = t / blocks * ROWS_PER_COPY;
        int last = Math.min(ph, first + ROWS_PER_COPY);
        int iw = g.iw();
        int left = g.pl();
        int columns = Math.max(0, Math.min(iw, pw - left));
        int src = inBase + block * g.ih() * iw * B;
        for (int i = first; i < last; i++) {
            int dst = (block * ph + i) * pw * B;
            int y = i - g.pt();
            if (y < 0 || y >= g.ih()) {
                Arrays.fill(planes, dst, dst + pw * B, 0f);
                continue;
            }
            Arrays.fill(planes, dst, dst + left * B, 0f);
            System.arraycopy(in, src + y * iw * B, planes, dst + left * B, columns * B);
            Arrays.fill(planes, dst + (left + columns) * B, dst + pw * B, 0f);
        }
    }
}
