package dev.fovea.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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
    private static final VectorMask<Float> EVEN = VectorMask.fromLong(S, 0x5555_5555_5555_5555L);
    private static final VectorMask<Float> ODD = VectorMask.fromLong(S, 0xAAAA_AAAA_AAAA_AAAAL);
    /** A thread's padded input row, before its columns are split into the two phases. */
    private static final ThreadLocal<float[]> LINE = ThreadLocal.withInitial(() -> new float[0]);
    private final ConvGeometry g;
    /** Height and width of a phase plane. */
    final int ph;
    final int pw;
    private final int planeSize;
    private final int phases;
    private final boolean[] used;
    /** For each tap j = (channel, ky, kx), its offset in the planes from the output pixel's own offset y * pw + x. */
    final int[] tapOffset;

    StridePhases(ConvGeometry g) {
        this.g = g;
        this.ph = g.oh() + (g.kh() - 1) / g.sh();
        this.pw = g.ow() + (g.kw() - 1) / g.sw();
        this.planeSize = ph * pw;
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

    /** Fills the used planes of channel c from the sample at {@code inBase}: every row, zeros in the padding. */
    void copyChannel(float[] in, int inBase, float[] planes, int c) {
        if (g.sw() == 2) {
            copyChannelPairs(in, inBase, planes, c);
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
            int dst = (c * phases + phase) * planeSize;
            for (int i = 0; i < ph; i++, dst += pw) {
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

    /**
     * Column stride 2: each padded input row is built once in scratch with bulk copies, then its even and
     * odd columns go to the two phases' rows a vector at a time (AVX-512's compress), each store masked
     * to the row's end.
     */
    private void copyChannelPairs(float[] in, int inBase, float[] planes, int c) {
        int ih = g.ih();
        int iw = g.iw();
        int sh = g.sh();
        int padded = 2 * pw;
        float[] line = LINE.get();
        if (line.length < padded + L) {
            line = new float[padded + L];
            LINE.set(line);
        }
        int src = inBase + c * ih * iw;
        for (int py = 0; py < sh; py++) {
            boolean even = used[py * 2];
            boolean odd = used[py * 2 + 1];
            if (!even && !odd) {
                continue;
            }
            int evenRow = (c * phases + py * 2) * planeSize;
            int oddRow = evenRow + planeSize;
            for (int i = 0; i < ph; i++, evenRow += pw, oddRow += pw) {
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
                // padded column X holds input column X - pl
                int first = Math.min(padded, g.pl());
                int last = Math.max(first, Math.min(padded, iw + g.pl()));
                java.util.Arrays.fill(line, 0, first, 0f);
                System.arraycopy(in, src + y * iw + first - g.pl(), line, first, last - first);
                java.util.Arrays.fill(line, last, padded + L, 0f);
                for (int x = 0; x < padded; x += L) {
                    int half = x / 2;
                    VectorMask<Float> m = S.indexInRange(0, Math.min(L / 2, pw - half));
                    FloatVector v = FloatVector.fromArray(S, line, x);
                    if (even) {
                        v.compress(EVEN).intoArray(planes, evenRow + half, m);
                    }
                    if (odd) {
                        v.compress(ODD).intoArray(planes, oddRow + half, m);
                    }
                }
            }
        }
    }
}
