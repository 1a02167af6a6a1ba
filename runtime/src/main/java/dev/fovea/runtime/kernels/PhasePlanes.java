package dev.fovea.runtime.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * One input plane laid out so that every tap of a strided, dilated, padded window reads a contiguous
 * run per output row: the plane is padded (with the caller's fill: 0 for sums, -infinity for maxima),
 * then its columns are split into {@code sw} phases, phase q holding columns x = q, q + sw, q + 2sw, ...
 * Output column ox of tap kx then reads phase (kx*dw) % sw at column ox + (kx*dw) / sw.
 */
final class PhasePlanes {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final VectorMask<Float> EVEN = VectorMask.fromArray(S, lanesOfParity(0), 0);
    private static final VectorMask<Float> ODD = VectorMask.fromArray(S, lanesOfParity(1), 0);

    private static boolean[] lanesOfParity(int parity) {
        boolean[] lanes = new boolean[L];
        for (int i = 0; i < L; i++) {
            lanes[i] = i % 2 == parity;
        }
        return lanes;
    }

    private float[] data = new float[0];
    private float[] row = new float[0];
    private int rows;
    private int width;
    private int phases;

    /** Lays out plane {@code base} of {@code in} (ih x iw) for a window with the given geometry. */
    void load(float[] in, int base, int ih, int iw, int oh, int ow, int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw,
            float fill) {
        rows = rows(oh, kh, sh, dh);
        phases = sw;
        width = width(ow, kw, sw, dw);
        int size = phases * rows * width;
        if (data.length < size + L) {
            data = new float[size + L]; // a vector of slack: a row's last vector may read past the planes' end
        }
        for (int y = 0; y < rows; y++) {
            int iy = y - pt;
            for (int q = 0; q < phases; q++) {
                int dst = (q * rows + y) * width;
                if (iy < 0 || iy >= ih) {
                    Arrays.fill(data, dst, dst + width, fill);
                    continue;
                }
                int src = base + iy * iw;
                if (sw == 2) {
                    if (q == 0) {
                        splitRow(in, src, iw, pl, fill, (0 * rows + y) * width, (1 * rows + y) * width);
                    }
                } else if (sw == 1) {
                    // columns x of the padded row are input columns x - pl
                    int first = Math.min(width, Math.max(0, pl));
                    int last = Math.max(first, Math.min(width, iw + pl));
                    Arrays.fill(data, dst, dst + first, fill);
                    System.arraycopy(in, src + first - pl, data, dst + first, last - first);
                    Arrays.fill(data, dst + last, dst + width, fill);
                } else {
                    for (int x = 0; x < width; x++) {
                        int ix = x * sw + q - pl;
                        data[dst + x] = ix >= 0 && ix < iw ? in[src + ix] : fill;
                    }
                }
            }
        }
    }

    /** Stride 2: see {@link #splitPaddedRow}. */
    private void splitRow(float[] in, int src, int iw, int pl, float fill, int even, int odd) {
        if (row.length < 2 * width + L) {
            row = new float[2 * width + L];
        }
        splitPaddedRow(in, src, iw, pl, fill, row, data, even, odd, width);
    }

    /**
     * Splits one input row (at {@code src}, {@code iw} long) into the two column phases of stride 2: the
     * row padded with {@code fill} ({@code pl} before it, to 2 x {@code width} in all) is built in
     * {@code scratch} (at least 2 width + one vector long) with bulk copies, then its even and odd columns
     * are stored at {@code even} and {@code odd} of {@code dst} a vector at a time (AVX-512's compress),
     * each store masked to the phase row's end. A negative {@code even} or {@code odd} skips that phase.
     */
    static void splitPaddedRow(float[] in, int src, int iw, int pl, float fill, float[] scratch, float[] dst, int even, int odd,
            int width) {
        int padded = 2 * width;
        int first = Math.min(padded, Math.max(0, pl));
        int last = Math.max(first, Math.min(padded, iw + pl));
        Arrays.fill(scratch, 0, first, fill);
        System.arraycopy(in, src + first - pl, scratch, first, last - first);
        Arrays.fill(scratch, last, padded + L, fill);
        for (int x = 0; x < padded; x += L) {
            int half = x / 2;
            VectorMask<Float> m = S.indexInRange(0, Math.min(L / 2, width - half));
            FloatVector v = FloatVector.fromArray(S, scratch, x);
            if (even >= 0) {
                v.compress(EVEN).intoArray(dst, even + half, m);
            }
            if (odd >= 0) {
                v.compress(ODD).intoArray(dst, odd + half, m);
            }
        }
    }

    float[] data() {
        return data;
    }

    /** Padded rows a plane keeps for this window. */
    private static int rows(int oh, int kh, int sh, int dh) {
        return (oh - 1) * sh + (kh - 1) * dh + 1;
    }

    /** Columns of each phase. */
    private static int width(int ow, int kw, int sw, int dw) {
        return ((ow - 1) * sw + (kw - 1) * dw + 1 + sw - 1) / sw;
    }

    /**
     * Where each tap (ky, kx), in row-major order, starts for output row 0 and column 0; output row oy
     * adds oy * {@link #rowStep}. Fixed by the window's geometry, so kernels compute it once: these
     * divisions inside a loop over taps cost more than the arithmetic.
     */
    static int[] tapOffsets(int oh, int ow, int kh, int kw, int sh, int sw, int dh, int dw) {
        int rows = rows(oh, kh, sh, dh);
        int width = width(ow, kw, sw, dw);
        int[] offsets = new int[kh * kw];
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                int column = kx * dw;
                offsets[ky * kw + kx] = ((column % sw) * rows + ky * dh) * width + column / sw;
            }
        }
        return offsets;
    }

    /** How far output row oy + 1 starts from output row oy. */
    static int rowStep(int ow, int kw, int sh, int sw, int dw) {
        return sh * width(ow, kw, sw, dw);
    }

}
