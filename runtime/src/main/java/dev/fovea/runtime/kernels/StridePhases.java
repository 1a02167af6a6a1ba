package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A sample's input laid out for a direct convolution: zero-padded planes, one per channel and stride
 * phase. For stride s, phase (py, px) holds the padded input's pixels (s i + py, s j + px) at (i, j), so
 * output pixel (y, x) reads tap (ky, kx) at row y + ky / s, column x + kx / s of phase (ky % s, kx % s):
 * consecutive output pixels of a row read consecutive floats for every tap, whatever the stride. Phases
 * no tap reads are not filled.
 */
final class StridePhases {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** A thread's padded input row, before its columns are split into the two phases. */
    private static final ThreadLocal<float[]> LINE = ThreadLocal.withInitial(() -> new float[0]);
    private final ConvGeometry g;
    /** Height and width of a phase plane. */
    final int ph;
    final int pw;
    private final int planeSize;
    private final int phases;
    private final boolean[] used;
    /** Plane rows per copy task. */
    private static final int ROWS_PER_COPY = 16;
    private final int rowBlocks;
    /** For each tap j = (channel, ky, kx), its offset in the planes from the output pixel's own offset y * pw + x. */
    final int[] tapOffset;

    StridePhases(ConvGeometry g) {
        this.g = g;
        this.ph = g.oh() + (g.kh() - 1) / g.sh();
        this.pw = g.ow() + (g.kw() - 1) / g.sw();
        this.planeSize = ph * pw;
        this.rowBlocks = (ph + ROWS_PER_COPY - 1) / ROWS_PER_COPY;
        this.phases = g.sh() * g.sw();
        this.used = new boolean[phases];
        this.tapOffset = new int[g.k()];
        int j = 0;
        for (int c = 0; c < g.ci(); c++) {
            for (int ky = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < g.kw(); kx++) {
                    int phase = ky % g.sh() * g.sw() + kx % g.sw();
                    used[phase] = true;
                    tapOffset[j++] = (c * phases + phase) * planeSize + ky / g.sh() * pw + kx / g.sw();
                }
            }
        }
    }

    /** Floats of all planes of one sample. */
    int size() {
        return g.ci() * phases * planeSize;
    }

    /**
     * Copy tasks per sample: one per channel and block of {@link #ROWS_PER_COPY} plane rows, so that the
     * few large channels of a stem are shared among the workers too.
     */
    int copyTasks() {
        return g.ci() * rowBlocks;
    }

    /**
     * Copy task t of {@link #copyTasks()}: rows of one channel's used planes, from the sample at {@code inBase}.
     * Numbered rows first: the workers take tasks from both ends, so each copies the rows that its own
     * tiles, numbered from the top of the map too, then read from its cache.
     */
    void copy(float[] in, int inBase, float[] planes, int t) {
        int c = t % g.ci();
        int first = t / g.ci() * ROWS_PER_COPY;
        copyRows(in, inBase, planes, c, first, Math.min(ph, first + ROWS_PER_COPY));
    }

    /** Fills rows [i0, i1) of the used planes of channel c: zeros in the padding. */
    private void copyRows(float[] in, int inBase, float[] planes, int c, int i0, int i1) {
        if (g.sw() == 2) {
            copyRowPairs(in, inBase, planes, c, i0, i1);
            return;
        }
        int ih = g.ih();
        int iw = g.iw();
        int sh = g.sh();
        int sw = g.sw();
        int src = inBase + c * ih * iw;
        for (int phase = 0; phase < phases; phase++) {
            if (!used[phase]) {
                continue;
            }
            int py = phase / sw;
            int px = phase % sw;
            // plane column j reads input column x = sw j + px - pl: inside for j in [first, last)
            int first = Math.min(pw, Math.max(0, Math.ceilDiv(g.pl() - px, sw)));
            int last = Math.max(first, Math.min(pw, Math.ceilDiv(iw + g.pl() - px, sw)));
            int dst = (c * phases + phase) * planeSize + i0 * pw;
            for (int i = i0; i < i1; i++, dst += pw) {
                int y = sh * i + py - g.pt();
                if (y < 0 || y >= ih || first == last) {
                    java.util.Arrays.fill(planes, dst, dst + pw, 0f);
                    continue;
                }
                java.util.Arrays.fill(planes, dst, dst + first, 0f);
                int from = src + y * iw + sw * first + px - g.pl();
                if (sw == 1) {
                    System.arraycopy(in, from, planes, dst + first, last - first);
                } else {
                    for (int d = dst + first, end = dst + last; d < end; d++, from += sw) {
                        planes[d] = in[from];
                    }
                }
                java.util.Arrays.fill(planes, dst + last, dst + pw, 0f);
            }
        }
    }

    /** Column stride 2: each input row split into both column phases at once ({@link PhasePlanes#splitPaddedRow}). */
    private void copyRowPairs(float[] in, int inBase, float[] planes, int c, int i0, int i1) {
        int ih = g.ih();
        int iw = g.iw();
        int sh = g.sh();
        float[] line = LINE.get();
        if (line.length < 2 * pw + L) {
            line = new float[2 * pw + L];
            LINE.set(line);
        }
        int src = inBase + c * ih * iw;
        for (int py = 0; py < sh; py++) {
            boolean even = used[py * 2];
            boolean odd = used[py * 2 + 1];
            if (!even && !odd) {
                continue;
            }
            int evenRow = (c * phases + py * 2) * planeSize + i0 * pw;
            int oddRow = evenRow + planeSize;
            for (int i = i0; i < i1; i++, evenRow += pw, oddRow += pw) {
                int y = sh * i + py - g.pt();
                if (y < 0 || y >= ih) {
                    if (even) {
                        java.util.Arrays.fill(planes, evenRow, evenRow + pw, 0f);
                    }
                    if (odd) {
                        java.util.Arrays.fill(planes, oddRow, oddRow + pw, 0f);
                    }
                    continue;
                }
                PhasePlanes.splitPaddedRow(in, src + y * iw, iw, g.pl(), 0f, line, planes, even ? evenRow : -1, odd ? oddRow : -1, pw);
            }
        }
    }
}
