package dev.fovea.runtime.kernels;

/**
 * An NCHW input read in place by a run of {@link ChannelVectorConv#PR} output pixels: tap (c, ky, kx) of
 * the run's pixel i lies at {@code origin + taps[j] + i * sw}, whatever the stride, so a stem needs no
 * copy of its input. Only runs whose windows reach into the padding, or past the map's last column, are
 * copied: into a zero-padded patch of the rows and columns they read, laid out so that the same taps
 * table, with the patch's width for the input's, reads it.
 */
final class BorderPatches {
    private final ConvGeometry g;
    /** Offsets of each reduction step j = (channel, ky, kx) in the input, and in a patch. */
    final int[] taps;
    final int[] patchTaps;
    /** Columns of a patch: the span of one run's windows. */
    private final int patchWidth;
    /** Floats of one run's patch. */
    final int patchFloats;
    /** Per pixel block of a sample (rows of whole blocks, the last of a row partial when ow is not a multiple of 7): whether it is read in place. */
    private final boolean[] inside;
    private final int blocksPerRow;

    BorderPatches(ConvGeometry g) {
        int pr = ChannelVectorConv.PR;
        this.g = g;
        this.patchWidth = (pr - 1) * g.sw() + g.kw();
        this.patchFloats = g.ci() * g.kh() * patchWidth;
        this.taps = new int[g.k()];
        this.patchTaps = new int[g.k()];
        int j = 0;
        for (int c = 0; c < g.ci(); c++) {
            for (int ky = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < g.kw(); kx++, j++) {
                    taps[j] = (c * g.ih() + ky) * g.iw() + kx;
                    patchTaps[j] = (c * g.kh() + ky) * patchWidth + kx;
                }
            }
        }
        this.blocksPerRow = (g.ow() + pr - 1) / pr;
        this.inside = new boolean[g.oh() * blocksPerRow];
        for (int block = 0; block < inside.length; block++) {
            int y = block / blocksPerRow * g.sh() - g.pt();
            int x0 = block % blocksPerRow * pr;
            int x = x0 * g.sw() - g.pl();
            inside[block] = y >= 0 && y + g.kh() <= g.ih() && x >= 0 && x + patchWidth <= g.iw() && x0 + pr <= g.ow();
        }
    }

    /** Whether pixel block {@code block} of a sample reads only the map, so that it is read in place. */
    boolean inside(int block) {
        return inside[block];
    }

    /** Where block {@code block}'s first pixel reads tap offset 0 in a sample's input (negative or past a row for border blocks). */
    int origin(int block) {
        return (block / blocksPerRow * g.sh() - g.pt()) * g.iw() + block % blocksPerRow * ChannelVectorConv.PR * g.sw() - g.pl();
    }

    /**
     * Copies what block {@code block} of the sample at {@code inBase} reads into {@code patch} from {@code at}:
     * for each channel and window row, the span of the run's columns, zeros outside the map.
     */
    void fill(float[] in, int inBase, int block, float[] patch, int at) {
        int y0 = block / blocksPerRow * g.sh() - g.pt();
        int x = block % blocksPerRow * ChannelVectorConv.PR * g.sw() - g.pl();
        int first = Math.max(0, -x);
        int last = Math.max(first, Math.min(patchWidth, g.iw() - x));
        // plain loops without a test per float: a patch's rows are a few floats long, too short for a copy's call
        for (int c = 0; c < g.ci(); c++) {
            for (int ky = 0; ky < g.kh(); ky++, at += patchWidth) {
                int y = y0 + ky;
                int from = y >= 0 && y < g.ih() ? first : patchWidth;
                int to = from < patchWidth ? last : patchWidth;
                int src = inBase + (c * g.ih() + y) * g.iw() + x;
                for (int i = 0; i < from; i++) {
                    patch[at + i] = 0f;
                }
                for (int i = from; i < to; i++) {
                    patch[at + i] = in[src + i];
                }
                for (int i = to; i < patchWidth; i++) {
                    patch[at + i] = 0f;
                }
            }
        }
    }
}
