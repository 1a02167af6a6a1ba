package dev.fovea.runtime.kernels.train;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Moves a group of samples between the batch layout (N x C x H x W) and the lane layout, where each
 * element of a plane holds one float per sample in consecutive lanes (C x H x W x {@link #L}): a group
 * of {@code L} samples then fills every vector, however small the maps. A group with fewer samples than
 * lanes leaves the missing lanes zero.
 */
final class Lanes {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Samples in one group: one per vector lane. */
    static final int L = S.length();

    private Lanes() {}

    /** The index map of a gather or scatter across L samples of {@code sampleSize} floats each. */
    static int[] sampleStrides(int sampleSize) {
        int[] map = new int[L];
        for (int i = 0; i < L; i++) {
            map[i] = i * sampleSize;
        }
        return map;
    }

    /** A thread's unpadded lane plane, where padded planes are assembled or taken apart row by row. */
    private static final ThreadLocal<float[]> PLANE = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] plane(int floats) {
        float[] plane = PLANE.get();
        if (plane.length < floats) {
            plane = new float[floats];
            PLANE.set(plane);
        }
        return plane;
    }

    /**
     * Plane c (h x w) of samples b0 .. b0 + count - 1 of x (channels x h x w each) into {@code lanes} at
     * {@code to}, zero-padded to ph x pw with the image at row pt, column pl; rows and columns that do not
     * fit are dropped (an output that never reads them). Channels from {@code channels} on are zero.
     */
    static void inPlane(float[] x, int b0, int count, int c, int channels, int h, int w, int pt, int pl, int ph, int pw, int[] strides,
            float[] lanes, int to) {
        if (c >= channels) {
            Arrays.fill(lanes, to, to + ph * pw * L, 0);
            return;
        }
        int sampleSize = channels * h * w;
        int from = b0 * sampleSize + c * h * w;
        int rows = Math.min(h, ph - pt);
        int cols = Math.min(w, pw - pl);
        boolean direct = pt == 0 && pl == 0 && pw == w && ph >= h;
        if (count < L) {
            Arrays.fill(lanes, to, to + ph * pw * L, 0);
            for (int iy = 0; iy < rows; iy++) {
                int at = to + ((iy + pt) * pw + pl) * L;
                for (int ix = 0; ix < cols; ix++) {
                    for (int s = 0; s < count; s++) {
                        lanes[at + ix * L + s] = x[from + s * sampleSize + iy * w + ix];
                    }
                }
            }
            return;
        }
        if (direct) {
            planeIn(x, from, h * w, strides, lanes, to);
            Arrays.fill(lanes, to + h * w * L, to + ph * pw * L, 0);
            return;
        }
        // the image goes through an unpadded plane
        float[] plane = plane(h * w * L);
        planeIn(x, from, h * w, strides, plane, 0);
        pad(plane, 0, h, w, pt, pl, ph, pw, lanes, to);
    }

    /**
     * An unpadded lane plane (h x w) at {@code from} into {@code lanes} at {@code to}, zero-padded to ph x pw
     * with the image at row pt, column pl (rows and columns that do not fit dropped); only the borders are
     * zeroed.
     */
    static void pad(float[] plane, int from, int h, int w, int pt, int pl, int ph, int pw, float[] lanes, int to) {
        int rows = Math.min(h, ph - pt);
        int cols = Math.min(w, pw - pl);
        Arrays.fill(lanes, to, to + pt * pw * L, 0);
        for (int iy = 0; iy < rows; iy++) {
            int rowAt = to + (iy + pt) * pw * L;
            Arrays.fill(lanes, rowAt, rowAt + pl * L, 0);
            System.arraycopy(plane, from + iy * w * L, lanes, rowAt + pl * L, cols * L);
            Arrays.fill(lanes, rowAt + (pl + cols) * L, rowAt + pw * L, 0);
        }
        Arrays.fill(lanes, to + (pt + rows) * pw * L, to + ph * pw * L, 0);
    }

    /**
     * positions floats of L samples (sampleSize apart, as strides say) from x at from, into lanes at to: in
     * LxL transposes in registers for 16 or 8 lanes, the tail one float at a time (no gathers or scatters:
     * AVX2 has no scatter, and the Vector API's fallback for it allocates).
     */
    private static void planeIn(float[] x, int from, int positions, int[] strides, float[] lanes, int to) {
        int p = 0;
        for (; L >= 8 && p <= positions - L; p += L) {
            if (L == 16) {
                transpose16(x, from + p, strides[1], lanes, to + p * L, L, false);
            } else if (L == 8) {
                transpose8(x, from + p, strides[1], lanes, to + p * L, L, false);
            } else {
                break;
            }
        }
        for (; p < positions; p++) {
            for (int s = 0; s < L; s++) {
                lanes[to + p * L + s] = x[from + strides[s] + p];
            }
        }
    }

    /**
     * dst[dstOff + j dstStride + i] = (or +=, if {@code add}) src[srcOff + i srcStride + j] for i < rows, j < cols:
     * a matrix transposed in LxL tiles in registers, the edges one float at a time.
     */
    static void transpose(float[] src, int srcOff, int srcStride, int rows, int cols, float[] dst, int dstOff, int dstStride, boolean add) {
        int i = 0;
        for (; (L == 16 || L == 8) && i <= rows - L; i += L) {
            int j = 0;
            for (; j <= cols - L; j += L) {
                if (L == 16) {
                    transpose16(src, srcOff + i * srcStride + j, srcStride, dst, dstOff + j * dstStride + i, dstStride, add);
                } else {
                    transpose8(src, srcOff + i * srcStride + j, srcStride, dst, dstOff + j * dstStride + i, dstStride, add);
                }
            }
            for (; j < cols; j++) {
                for (int r = i; r < i + L; r++) {
                    float v = src[srcOff + r * srcStride + j];
                    dst[dstOff + j * dstStride + r] = add ? dst[dstOff + j * dstStride + r] + v : v;
                }
            }
        }
        for (; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float v = src[srcOff + i * srcStride + j];
                dst[dstOff + j * dstStride + i] = add ? dst[dstOff + j * dstStride + i] + v : v;
            }
        }
    }

    /**
     * The unpadded plane (h x w) of {@code lanes} at {@code from} into plane c of samples b0 .. b0 + count - 1
     * of y (channels x h x w each), stored or added.
     */
    static void outPlane(float[] lanes, int from, int c, int channels, int h, int w, int[] strides, float[] y, int b0, int count,
            boolean add) {
        int plane = h * w;
        int sampleSize = channels * plane;
        int to = b0 * sampleSize + c * plane;
        if (count == L) {
            planeOut(lanes, from, plane, strides, y, to, add);
            return;
        }
        for (int p = 0; p < plane; p++) {
            for (int s = 0; s < count; s++) {
                float v = lanes[from + p * L + s];
                y[to + s * sampleSize + p] = add ? y[to + s * sampleSize + p] + v : v;
            }
        }
    }

    /** The inverse of {@link #planeIn}, storing or adding. */
    private static void planeOut(float[] lanes, int from, int positions, int[] strides, float[] y, int to, boolean add) {
        int p = 0;
        for (; L >= 8 && p <= positions - L; p += L) {
            if (L == 16) {
                transpose16(lanes, from + p * L, L, y, to + p, strides[1], add);
            } else if (L == 8) {
                transpose8(lanes, from + p * L, L, y, to + p, strides[1], add);
            } else {
                break;
            }
        }
        for (; p < positions; p++) {
            for (int s = 0; s < L; s++) {
                float v = lanes[from + p * L + s];
                y[to + strides[s] + p] = add ? y[to + strides[s] + p] + v : v;
            }
        }
    }

    /**
     * The padded plane (ph x pw, the image at row pt, column pl) of {@code lanes} at {@code from}, cut back to the
     * image, into plane c of dx for samples b0 .. b0 + count - 1 (channels x h x w each), stored or added.
     */
    static void outPadded(float[] lanes, int from, int c, int channels, int h, int w, int pt, int pl, int ph, int pw, int[] strides,
            float[] dx, int b0, int count, boolean add) {
        if (pt == 0 && pl == 0 && pw == w && ph >= h) {
            outPlane(lanes, from, c, channels, h, w, strides, dx, b0, count, add);
            return;
        }
        int rows = Math.min(h, ph - pt);
        int cols = Math.min(w, pw - pl);
        float[] plane = plane(h * w * L);
        if (rows < h || cols < w) {
            Arrays.fill(plane, 0, h * w * L, 0);
        }
        for (int iy = 0; iy < rows; iy++) {
            System.arraycopy(lanes, from + ((iy + pt) * pw + pl) * L, plane, iy * w * L, cols * L);
        }
        outPlane(plane, 0, c, channels, h, w, strides, dx, b0, count, add);
    }

    /** The permutes of {@link #transpose16}'s step d: the low row keeps its lanes without bit d, the high row those with it. */
    private static final float[] LOW8 = swapLow(8), HIGH8 = swapHigh(8), LOW4 = swapLow(4), HIGH4 = swapHigh(4);
    private static final float[] LOW2 = swapLow(2), HIGH2 = swapHigh(2), LOW1 = swapLow(1), HIGH1 = swapHigh(1);

    // indexes into the two rows one after the other: L + k is lane k of the second
    private static float[] swapLow(int d) {
        float[] index = new float[L];
        for (int j = 0; j < L; j++) {
            index[j] = (j & d) == 0 ? j : L + j - d;
        }
        return index;
    }

    private static float[] swapHigh(int d) {
        float[] index = new float[L];
        for (int j = 0; j < L; j++) {
            index[j] = (j & d) == 0 ? j + d : L + j;
        }
        return index;
    }

    /**
     * dst[dstOff + j dstStride + i] (+)= src[srcOff + i srcStride + j] for i, j < 16, in registers: at each of
     * four steps, rows i and i + d swap the elements (i, j) and (i + d, j - d) for j with bit d set, two
     * two-table permutes per pair of rows.
     */
    private static void transpose16(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride, boolean add) {
        FloatVector r0 = FloatVector.fromArray(S, src, srcOff + 0 * srcStride);
        FloatVector r1 = FloatVector.fromArray(S, src, srcOff + 1 * srcStride);
        FloatVector r2 = FloatVector.fromArray(S, src, srcOff + 2 * srcStride);
        FloatVector r3 = FloatVector.fromArray(S, src, srcOff + 3 * srcStride);
        FloatVector r4 = FloatVector.fromArray(S, src, srcOff + 4 * srcStride);
        FloatVector r5 = FloatVector.fromArray(S, src, srcOff + 5 * srcStride);
        FloatVector r6 = FloatVector.fromArray(S, src, srcOff + 6 * srcStride);
        FloatVector r7 = FloatVector.fromArray(S, src, srcOff + 7 * srcStride);
        FloatVector r8 = FloatVector.fromArray(S, src, srcOff + 8 * srcStride);
        FloatVector r9 = FloatVector.fromArray(S, src, srcOff + 9 * srcStride);
        FloatVector r10 = FloatVector.fromArray(S, src, srcOff + 10 * srcStride);
        FloatVector r11 = FloatVector.fromArray(S, src, srcOff + 11 * srcStride);
        FloatVector r12 = FloatVector.fromArray(S, src, srcOff + 12 * srcStride);
        FloatVector r13 = FloatVector.fromArray(S, src, srcOff + 13 * srcStride);
        FloatVector r14 = FloatVector.fromArray(S, src, srcOff + 14 * srcStride);
        FloatVector r15 = FloatVector.fromArray(S, src, srcOff + 15 * srcStride);
        FloatVector t;
        FloatVector low8 = FloatVector.fromArray(S, LOW8, 0), high8 = FloatVector.fromArray(S, HIGH8, 0);
        FloatVector low4 = FloatVector.fromArray(S, LOW4, 0), high4 = FloatVector.fromArray(S, HIGH4, 0);
        FloatVector low2 = FloatVector.fromArray(S, LOW2, 0), high2 = FloatVector.fromArray(S, HIGH2, 0);
        FloatVector low1 = FloatVector.fromArray(S, LOW1, 0), high1 = FloatVector.fromArray(S, HIGH1, 0);
        t = low8.selectFrom(r0, r8); r8 = high8.selectFrom(r0, r8); r0 = t;
        t = low8.selectFrom(r1, r9); r9 = high8.selectFrom(r1, r9); r1 = t;
        t = low8.selectFrom(r2, r10); r10 = high8.selectFrom(r2, r10); r2 = t;
        t = low8.selectFrom(r3, r11); r11 = high8.selectFrom(r3, r11); r3 = t;
        t = low8.selectFrom(r4, r12); r12 = high8.selectFrom(r4, r12); r4 = t;
        t = low8.selectFrom(r5, r13); r13 = high8.selectFrom(r5, r13); r5 = t;
        t = low8.selectFrom(r6, r14); r14 = high8.selectFrom(r6, r14); r6 = t;
        t = low8.selectFrom(r7, r15); r15 = high8.selectFrom(r7, r15); r7 = t;
        t = low4.selectFrom(r0, r4); r4 = high4.selectFrom(r0, r4); r0 = t;
        t = low4.selectFrom(r1, r5); r5 = high4.selectFrom(r1, r5); r1 = t;
        t = low4.selectFrom(r2, r6); r6 = high4.selectFrom(r2, r6); r2 = t;
        t = low4.selectFrom(r3, r7); r7 = high4.selectFrom(r3, r7); r3 = t;
        t = low4.selectFrom(r8, r12); r12 = high4.selectFrom(r8, r12); r8 = t;
        t = low4.selectFrom(r9, r13); r13 = high4.selectFrom(r9, r13); r9 = t;
        t = low4.selectFrom(r10, r14); r14 = high4.selectFrom(r10, r14); r10 = t;
        t = low4.selectFrom(r11, r15); r15 = high4.selectFrom(r11, r15); r11 = t;
        t = low2.selectFrom(r0, r2); r2 = high2.selectFrom(r0, r2); r0 = t;
        t = low2.selectFrom(r1, r3); r3 = high2.selectFrom(r1, r3); r1 = t;
        t = low2.selectFrom(r4, r6); r6 = high2.selectFrom(r4, r6); r4 = t;
        t = low2.selectFrom(r5, r7); r7 = high2.selectFrom(r5, r7); r5 = t;
        t = low2.selectFrom(r8, r10); r10 = high2.selectFrom(r8, r10); r8 = t;
        t = low2.selectFrom(r9, r11); r11 = high2.selectFrom(r9, r11); r9 = t;
        t = low2.selectFrom(r12, r14); r14 = high2.selectFrom(r12, r14); r12 = t;
        t = low2.selectFrom(r13, r15); r15 = high2.selectFrom(r13, r15); r13 = t;
        t = low1.selectFrom(r0, r1); r1 = high1.selectFrom(r0, r1); r0 = t;
        t = low1.selectFrom(r2, r3); r3 = high1.selectFrom(r2, r3); r2 = t;
        t = low1.selectFrom(r4, r5); r5 = high1.selectFrom(r4, r5); r4 = t;
        t = low1.selectFrom(r6, r7); r7 = high1.selectFrom(r6, r7); r6 = t;
        t = low1.selectFrom(r8, r9); r9 = high1.selectFrom(r8, r9); r8 = t;
        t = low1.selectFrom(r10, r11); r11 = high1.selectFrom(r10, r11); r10 = t;
        t = low1.selectFrom(r12, r13); r13 = high1.selectFrom(r12, r13); r12 = t;
        t = low1.selectFrom(r14, r15); r15 = high1.selectFrom(r14, r15); r14 = t;
        if (add) {
            r0.add(FloatVector.fromArray(S, dst, dstOff + 0 * dstStride)).intoArray(dst, dstOff + 0 * dstStride);
            r1.add(FloatVector.fromArray(S, dst, dstOff + 1 * dstStride)).intoArray(dst, dstOff + 1 * dstStride);
            r2.add(FloatVector.fromArray(S, dst, dstOff + 2 * dstStride)).intoArray(dst, dstOff + 2 * dstStride);
            r3.add(FloatVector.fromArray(S, dst, dstOff + 3 * dstStride)).intoArray(dst, dstOff + 3 * dstStride);
            r4.add(FloatVector.fromArray(S, dst, dstOff + 4 * dstStride)).intoArray(dst, dstOff + 4 * dstStride);
            r5.add(FloatVector.fromArray(S, dst, dstOff + 5 * dstStride)).intoArray(dst, dstOff + 5 * dstStride);
            r6.add(FloatVector.fromArray(S, dst, dstOff + 6 * dstStride)).intoArray(dst, dstOff + 6 * dstStride);
            r7.add(FloatVector.fromArray(S, dst, dstOff + 7 * dstStride)).intoArray(dst, dstOff + 7 * dstStride);
            r8.add(FloatVector.fromArray(S, dst, dstOff + 8 * dstStride)).intoArray(dst, dstOff + 8 * dstStride);
            r9.add(FloatVector.fromArray(S, dst, dstOff + 9 * dstStride)).intoArray(dst, dstOff + 9 * dstStride);
            r10.add(FloatVector.fromArray(S, dst, dstOff + 10 * dstStride)).intoArray(dst, dstOff + 10 * dstStride);
            r11.add(FloatVector.fromArray(S, dst, dstOff + 11 * dstStride)).intoArray(dst, dstOff + 11 * dstStride);
            r12.add(FloatVector.fromArray(S, dst, dstOff + 12 * dstStride)).intoArray(dst, dstOff + 12 * dstStride);
            r13.add(FloatVector.fromArray(S, dst, dstOff + 13 * dstStride)).intoArray(dst, dstOff + 13 * dstStride);
            r14.add(FloatVector.fromArray(S, dst, dstOff + 14 * dstStride)).intoArray(dst, dstOff + 14 * dstStride);
            r15.add(FloatVector.fromArray(S, dst, dstOff + 15 * dstStride)).intoArray(dst, dstOff + 15 * dstStride);
        } else {
            r0.intoArray(dst, dstOff + 0 * dstStride);
            r1.intoArray(dst, dstOff + 1 * dstStride);
            r2.intoArray(dst, dstOff + 2 * dstStride);
            r3.intoArray(dst, dstOff + 3 * dstStride);
            r4.intoArray(dst, dstOff + 4 * dstStride);
            r5.intoArray(dst, dstOff + 5 * dstStride);
            r6.intoArray(dst, dstOff + 6 * dstStride);
            r7.intoArray(dst, dstOff + 7 * dstStride);
            r8.intoArray(dst, dstOff + 8 * dstStride);
            r9.intoArray(dst, dstOff + 9 * dstStride);
            r10.intoArray(dst, dstOff + 10 * dstStride);
            r11.intoArray(dst, dstOff + 11 * dstStride);
            r12.intoArray(dst, dstOff + 12 * dstStride);
            r13.intoArray(dst, dstOff + 13 * dstStride);
            r14.intoArray(dst, dstOff + 14 * dstStride);
            r15.intoArray(dst, dstOff + 15 * dstStride);
        }
    }

    /** {@link #transpose16} for 8 lanes (AVX2): three steps instead of four. */
    private static void transpose8(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride, boolean add) {
        FloatVector r0 = FloatVector.fromArray(S, src, srcOff + 0 * srcStride);
        FloatVector r1 = FloatVector.fromArray(S, src, srcOff + 1 * srcStride);
        FloatVector r2 = FloatVector.fromArray(S, src, srcOff + 2 * srcStride);
        FloatVector r3 = FloatVector.fromArray(S, src, srcOff + 3 * srcStride);
        FloatVector r4 = FloatVector.fromArray(S, src, srcOff + 4 * srcStride);
        FloatVector r5 = FloatVector.fromArray(S, src, srcOff + 5 * srcStride);
        FloatVector r6 = FloatVector.fromArray(S, src, srcOff + 6 * srcStride);
        FloatVector r7 = FloatVector.fromArray(S, src, srcOff + 7 * srcStride);
        FloatVector t;
        FloatVector low4 = FloatVector.fromArray(S, LOW4, 0), high4 = FloatVector.fromArray(S, HIGH4, 0);
        FloatVector low2 = FloatVector.fromArray(S, LOW2, 0), high2 = FloatVector.fromArray(S, HIGH2, 0);
        FloatVector low1 = FloatVector.fromArray(S, LOW1, 0), high1 = FloatVector.fromArray(S, HIGH1, 0);
        t = low4.selectFrom(r0, r4); r4 = high4.selectFrom(r0, r4); r0 = t;
        t = low4.selectFrom(r1, r5); r5 = high4.selectFrom(r1, r5); r1 = t;
        t = low4.selectFrom(r2, r6); r6 = high4.selectFrom(r2, r6); r2 = t;
        t = low4.selectFrom(r3, r7); r7 = high4.selectFrom(r3, r7); r3 = t;
        t = low2.selectFrom(r0, r2); r2 = high2.selectFrom(r0, r2); r0 = t;
        t = low2.selectFrom(r1, r3); r3 = high2.selectFrom(r1, r3); r1 = t;
        t = low2.selectFrom(r4, r6); r6 = high2.selectFrom(r4, r6); r4 = t;
        t = low2.selectFrom(r5, r7); r7 = high2.selectFrom(r5, r7); r5 = t;
        t = low1.selectFrom(r0, r1); r1 = high1.selectFrom(r0, r1); r0 = t;
        t = low1.selectFrom(r2, r3); r3 = high1.selectFrom(r2, r3); r2 = t;
        t = low1.selectFrom(r4, r5); r5 = high1.selectFrom(r4, r5); r4 = t;
        t = low1.selectFrom(r6, r7); r7 = high1.selectFrom(r6, r7); r6 = t;
        if (add) {
            r0.add(FloatVector.fromArray(S, dst, dstOff + 0 * dstStride)).intoArray(dst, dstOff + 0 * dstStride);
            r1.add(FloatVector.fromArray(S, dst, dstOff + 1 * dstStride)).intoArray(dst, dstOff + 1 * dstStride);
            r2.add(FloatVector.fromArray(S, dst, dstOff + 2 * dstStride)).intoArray(dst, dstOff + 2 * dstStride);
            r3.add(FloatVector.fromArray(S, dst, dstOff + 3 * dstStride)).intoArray(dst, dstOff + 3 * dstStride);
            r4.add(FloatVector.fromArray(S, dst, dstOff + 4 * dstStride)).intoArray(dst, dstOff + 4 * dstStride);
            r5.add(FloatVector.fromArray(S, dst, dstOff + 5 * dstStride)).intoArray(dst, dstOff + 5 * dstStride);
            r6.add(FloatVector.fromArray(S, dst, dstOff + 6 * dstStride)).intoArray(dst, dstOff + 6 * dstStride);
            r7.add(FloatVector.fromArray(S, dst, dstOff + 7 * dstStride)).intoArray(dst, dstOff + 7 * dstStride);
        } else {
            r0.intoArray(dst, dstOff + 0 * dstStride);
            r1.intoArray(dst, dstOff + 1 * dstStride);
            r2.intoArray(dst, dstOff + 2 * dstStride);
            r3.intoArray(dst, dstOff + 3 * dstStride);
            r4.intoArray(dst, dstOff + 4 * dstStride);
            r5.intoArray(dst, dstOff + 5 * dstStride);
            r6.intoArray(dst, dstOff + 6 * dstStride);
            r7.intoArray(dst, dstOff + 7 * dstStride);
        }
    }
}
