package dev.fovea.runtime.kernels.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm#nn}'s register block for the rows of A in runs of {@link #RUN}: 14 rows by 2 vectors of
 * columns, 28 accumulators, two B vectors and fourteen broadcasts per step, as the inference kernels'
 * 14x32 tile. It runs at 178 GFLOP/s on one core with its operands in L1, against 135 to 163 for 8 rows
 * by 3 vectors (whose three B loads a step cross a cache line each when B's rows are not 64-byte aligned,
 * which Java does not let us choose: 174 aligned); on ResNet-50's product shapes 3 to 15% faster on one
 * core (docs/PERFORMANCE.md). The whole blocks of 8 rows after the last run (fewer than 56 rows) take the
 * same panels of B here, 8 rows by 2 vectors; single rows after them go to {@link Gemm}. Each sum runs
 * from C's value over k in order, as there, so the bits do not depend on which block a row falls in.
 */
final class TallBlocks {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of a block. */
    static final int ROWS = 14;
    /** Rows of A whose slice (448 KiB at KC 256) every panel of B visits before the next rows': it stays in L2. */
    private static final int GROUP = 32 * ROWS;
    /** The blocks take rows four at a time (56 rows, a multiple of 8), so that a multiple of 8 leaves whole 8-row blocks. */
    static final int RUN = 4 * ROWS;
    /** The columns after the last whole vector, copied with zeros after them (k x L), then a block of C's (14 x L). */
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[(Gemm.KC + ROWS) * L]);
    /** 16 rows of A transposed, of which a block keeps 14. */
    private static final ThreadLocal<float[]> SIXTEEN = ThreadLocal.withInitial(() -> new float[Gemm.KC * 16]);

    private TallBlocks() {}

    /** Rows of an m-row A that these blocks take: whole runs. */
    static int rows(int m) {
        return m / RUN * RUN;
    }

    /**
     * Rows [0, rows) of A (A(i, p) = a[aOff + i * aRow + p * aCol], m rows in all) into packed from packedOff,
     * slice of k by slice, each block k-major ([slice][block][p][14]).
     */
    static void pack(int rows, int m, int k, float[] a, int aOff, int aRow, int aCol, float[] packed, int packedOff) {
        int blocks = rows / ROWS;
        for (int p0 = 0; p0 < k; p0 += Gemm.KC) {
            int kc = Math.min(Gemm.KC, k - p0);
            for (int blk = 0; blk < blocks; blk++) {
                int base = packedOff + p0 * rows + blk * ROWS * kc;
                int first = aOff + blk * ROWS * aRow + p0 * aCol;
                if (aCol == 1 && L == 16 && blk * ROWS + 16 <= m) { // rows contiguous: a 16x16 transpose, two rows of it unused
                    float[] sixteen = SIXTEEN.get();
                    Lanes.transpose(a, first, aRow, 16, kc, sixteen, 0, 16, false);
                    for (int p = 0; p < kc; p++) {
                        System.arraycopy(sixteen, p * 16, packed, base + p * ROWS, ROWS);
                    }
                    continue;
                }
                for (int r = 0; r < ROWS; r++) {
                    for (int p = 0; p < kc; p++) {
                        packed[base + p * ROWS + r] = a[first + r * aRow + p * aCol];
                    }
                }
            }
        }
    }

    /**
     * C[i][j] += sum_p A(i, p) * B[p][j] for the rows [0, tall + eights): the first {@code tall} packed by {@link #pack}
     * from packedOff, the next {@code eights} by {@link Gemm}'s packing after them. Each panel of B (KC x 2 vectors,
     * in L1) is taken by every block of a group of {@link #GROUP} rows, whose slice of A (448 KiB) stays in L2
     * across the panels; the 8-row blocks take the panel after the last group's blocks.
     */
    static void nn(int tall, int eights, int n, int k, float[] packed, int packedOff, float[] b, int bOff, int ldb, float[] c, int cOff,
            int ldc) {
        int wide = n / (2 * L) * 2 * L;
        int vectors = n / L * L;
        for (int p0 = 0; p0 < k; p0 += Gemm.KC) {
            int kc = Math.min(Gemm.KC, k - p0);
            int slice = packedOff + p0 * tall;
            int eightSlice = packedOff + tall * k + p0 * eights;
            int bSlice = bOff + p0 * ldb;
            for (int i0 = 0; i0 < tall; i0 += GROUP) {
                int i1 = Math.min(tall, i0 + GROUP);
                int e1 = i1 == tall ? eights : 0; // the 8-row blocks go with the last group
                for (int j = 0; j < wide; j += 2 * L) {
                    float[] pb = b;
                    int pbOff = bSlice + j;
                    int pbLd = ldb;
                    if (ldb >= Gemm.FAR_ROWS) {
                        pb = Gemm.panel(b, bSlice + j, ldb, kc, 2);
                        pbOff = 0;
                        pbLd = 2 * L;
                    }
                    for (int i = i0; i < i1; i += ROWS) {
                        block14x2(kc, packed, slice + i * kc, pb, pbOff, pbLd, c, cOff + i * ldc + j, ldc);
                    }
                    for (int e = 0; e < e1; e += 8) {
                        block8x2(kc, packed, eightSlice + e * kc, pb, pbOff, pbLd, c, cOff + (tall + e) * ldc + j, ldc);
                    }
                }
                for (int j = wide; j < vectors; j += L) {
                    for (int i = i0; i < i1; i += ROWS) {
                        block14x1(kc, packed, slice + i * kc, b, bSlice + j, ldb, c, cOff + i * ldc + j, ldc);
                    }
                    for (int e = 0; e < e1; e += 8) {
                        Gemm.block8x1(kc, packed, eightSlice + e * kc, b, bSlice + j, ldb, c, cOff + (tall + e) * ldc + j, ldc);
                    }
                }
                if (vectors < n) {
                    columnTail(n - vectors, kc, i0, i1, tall, e1, packed, slice, eightSlice, b, bSlice + vectors, ldb, c, cOff + vectors, ldc);
                }
            }
        }
    }

    /**
     * The last {@code tail} (fewer than L) columns of the blocks of rows [i0, i1) and of the first {@code e1} rows
     * after {@code tall}, as {@link Gemm}'s column tail: B's tail and each block's tile of C through a buffer, in vectors.
     */
    private static void columnTail(int tail, int k, int i0, int i1, int tall, int e1, float[] packed, int slice, int eightSlice, float[] b,
            int bOff, int ldb, float[] c, int cOff, int ldc) {
        float[] buffer = TAIL.get(); // B's tail (k x L), then C's tile (up to 14 x L)
        int tile = k * L;
        Gemm.tailOfB(tail, k, b, bOff, ldb, buffer);
        for (int i = i0; i < i1; i += ROWS) {
            Gemm.tileIn(tail, c, cOff + i * ldc, ldc, ROWS, buffer, tile);
            block14x1(k, packed, slice + i * k, buffer, 0, L, buffer, tile, L);
            Gemm.tileOut(tail, buffer, tile, ROWS, c, cOff + i * ldc, ldc);
        }
        for (int e = 0; e < e1; e += 8) {
            Gemm.tileIn(tail, c, cOff + (tall + e) * ldc, ldc, 8, buffer, tile);
            Gemm.block8x1(k, packed, eightSlice + e * k, buffer, 0, L, buffer, tile, L);
            Gemm.tileOut(tail, buffer, tile, 8, c, cOff + (tall + e) * ldc, ldc);
        }
    }

    /** Rows i..i+13 of packed A by columns j..j+2L: 28 accumulators, two B vectors and fourteen broadcasts per step. */
    private static void block14x2(int k, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        FloatVector c0_0 = FloatVector.fromArray(S, c, cOff), c0_1 = FloatVector.fromArray(S, c, cOff + L);
        FloatVector c1_0 = FloatVector.fromArray(S, c, cOff + 1 * ldc), c1_1 = FloatVector.fromArray(S, c, cOff + 1 * ldc + L);
        FloatVector c2_0 = FloatVector.fromArray(S, c, cOff + 2 * ldc), c2_1 = FloatVector.fromArray(S, c, cOff + 2 * ldc + L);
        FloatVector c3_0 = FloatVector.fromArray(S, c, cOff + 3 * ldc), c3_1 = FloatVector.fromArray(S, c, cOff + 3 * ldc + L);
        FloatVector c4_0 = FloatVector.fromArray(S, c, cOff + 4 * ldc), c4_1 = FloatVector.fromArray(S, c, cOff + 4 * ldc + L);
        FloatVector c5_0 = FloatVector.fromArray(S, c, cOff + 5 * ldc), c5_1 = FloatVector.fromArray(S, c, cOff + 5 * ldc + L);
        FloatVector c6_0 = FloatVector.fromArray(S, c, cOff + 6 * ldc), c6_1 = FloatVector.fromArray(S, c, cOff + 6 * ldc + L);
        FloatVector c7_0 = FloatVector.fromArray(S, c, cOff + 7 * ldc), c7_1 = FloatVector.fromArray(S, c, cOff + 7 * ldc + L);
        FloatVector c8_0 = FloatVector.fromArray(S, c, cOff + 8 * ldc), c8_1 = FloatVector.fromArray(S, c, cOff + 8 * ldc + L);
        FloatVector c9_0 = FloatVector.fromArray(S, c, cOff + 9 * ldc), c9_1 = FloatVector.fromArray(S, c, cOff + 9 * ldc + L);
        FloatVector c10_0 = FloatVector.fromArray(S, c, cOff + 10 * ldc), c10_1 = FloatVector.fromArray(S, c, cOff + 10 * ldc + L);
        FloatVector c11_0 = FloatVector.fromArray(S, c, cOff + 11 * ldc), c11_1 = FloatVector.fromArray(S, c, cOff + 11 * ldc + L);
        FloatVector c12_0 = FloatVector.fromArray(S, c, cOff + 12 * ldc), c12_1 = FloatVector.fromArray(S, c, cOff + 12 * ldc + L);
        FloatVector c13_0 = FloatVector.fromArray(S, c, cOff + 13 * ldc), c13_1 = FloatVector.fromArray(S, c, cOff + 13 * ldc + L);
        for (int p = 0; p < k; p++) {
            int row = bOff + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, row);
            FloatVector b1 = FloatVector.fromArray(S, b, row + L);
            int ap = aOff + p * ROWS;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c0_0 = a0.fma(b0, c0_0); c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
            c1_0 = a1.fma(b0, c1_0); c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
            c2_0 = a2.fma(b0, c2_0); c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
            c3_0 = a3.fma(b0, c3_0); c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
            c4_0 = a4.fma(b0, c4_0); c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
            c5_0 = a5.fma(b0, c5_0); c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ap + 6]);
            c6_0 = a6.fma(b0, c6_0); c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ap + 7]);
            c7_0 = a7.fma(b0, c7_0); c7_1 = a7.fma(b1, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, a[ap + 8]);
            c8_0 = a8.fma(b0, c8_0); c8_1 = a8.fma(b1, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, a[ap + 9]);
            c9_0 = a9.fma(b0, c9_0); c9_1 = a9.fma(b1, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, a[ap + 10]);
            c10_0 = a10.fma(b0, c10_0); c10_1 = a10.fma(b1, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, a[ap + 11]);
            c11_0 = a11.fma(b0, c11_0); c11_1 = a11.fma(b1, c11_1);
            FloatVector a12 = FloatVector.broadcast(S, a[ap + 12]);
            c12_0 = a12.fma(b0, c12_0); c12_1 = a12.fma(b1, c12_1);
            FloatVector a13 = FloatVector.broadcast(S, a[ap + 13]);
            c13_0 = a13.fma(b0, c13_0); c13_1 = a13.fma(b1, c13_1);
        }
        c0_0.intoArray(c, cOff); c0_1.intoArray(c, cOff + L);
        c1_0.intoArray(c, cOff + 1 * ldc); c1_1.intoArray(c, cOff + 1 * ldc + L);
        c2_0.intoArray(c, cOff + 2 * ldc); c2_1.intoArray(c, cOff + 2 * ldc + L);
        c3_0.intoArray(c, cOff + 3 * ldc); c3_1.intoArray(c, cOff + 3 * ldc + L);
        c4_0.intoArray(c, cOff + 4 * ldc); c4_1.intoArray(c, cOff + 4 * ldc + L);
        c5_0.intoArray(c, cOff + 5 * ldc); c5_1.intoArray(c, cOff + 5 * ldc + L);
        c6_0.intoArray(c, cOff + 6 * ldc); c6_1.intoArray(c, cOff + 6 * ldc + L);
        c7_0.intoArray(c, cOff + 7 * ldc); c7_1.intoArray(c, cOff + 7 * ldc + L);
        c8_0.intoArray(c, cOff + 8 * ldc); c8_1.intoArray(c, cOff + 8 * ldc + L);
        c9_0.intoArray(c, cOff + 9 * ldc); c9_1.intoArray(c, cOff + 9 * ldc + L);
        c10_0.intoArray(c, cOff + 10 * ldc); c10_1.intoArray(c, cOff + 10 * ldc + L);
        c11_0.intoArray(c, cOff + 11 * ldc); c11_1.intoArray(c, cOff + 11 * ldc + L);
        c12_0.intoArray(c, cOff + 12 * ldc); c12_1.intoArray(c, cOff + 12 * ldc + L);
        c13_0.intoArray(c, cOff + 13 * ldc); c13_1.intoArray(c, cOff + 13 * ldc + L);
    }

    /** Rows i..i+13 of packed A by one vector of columns. */
    private static void block14x1(int k, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        FloatVector c0_0 = FloatVector.fromArray(S, c, cOff);
        FloatVector c1_0 = FloatVector.fromArray(S, c, cOff + 1 * ldc);
        FloatVector c2_0 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
        FloatVector c3_0 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
        FloatVector c4_0 = FloatVector.fromArray(S, c, cOff + 4 * ldc);
        FloatVector c5_0 = FloatVector.fromArray(S, c, cOff + 5 * ldc);
        FloatVector c6_0 = FloatVector.fromArray(S, c, cOff + 6 * ldc);
        FloatVector c7_0 = FloatVector.fromArray(S, c, cOff + 7 * ldc);
        FloatVector c8_0 = FloatVector.fromArray(S, c, cOff + 8 * ldc);
        FloatVector c9_0 = FloatVector.fromArray(S, c, cOff + 9 * ldc);
        FloatVector c10_0 = FloatVector.fromArray(S, c, cOff + 10 * ldc);
        FloatVector c11_0 = FloatVector.fromArray(S, c, cOff + 11 * ldc);
        FloatVector c12_0 = FloatVector.fromArray(S, c, cOff + 12 * ldc);
        FloatVector c13_0 = FloatVector.fromArray(S, c, cOff + 13 * ldc);
        for (int p = 0; p < k; p++) {
            int row = bOff + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, row);
            int ap = aOff + p * ROWS;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c0_0 = a0.fma(b0, c0_0);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
            c1_0 = a1.fma(b0, c1_0);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
            c2_0 = a2.fma(b0, c2_0);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
            c3_0 = a3.fma(b0, c3_0);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
            c4_0 = a4.fma(b0, c4_0);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
            c5_0 = a5.fma(b0, c5_0);
            FloatVector a6 = FloatVector.broadcast(S, a[ap + 6]);
            c6_0 = a6.fma(b0, c6_0);
            FloatVector a7 = FloatVector.broadcast(S, a[ap + 7]);
            c7_0 = a7.fma(b0, c7_0);
            FloatVector a8 = FloatVector.broadcast(S, a[ap + 8]);
            c8_0 = a8.fma(b0, c8_0);
            FloatVector a9 = FloatVector.broadcast(S, a[ap + 9]);
            c9_0 = a9.fma(b0, c9_0);
            FloatVector a10 = FloatVector.broadcast(S, a[ap + 10]);
            c10_0 = a10.fma(b0, c10_0);
            FloatVector a11 = FloatVector.broadcast(S, a[ap + 11]);
            c11_0 = a11.fma(b0, c11_0);
            FloatVector a12 = FloatVector.broadcast(S, a[ap + 12]);
            c12_0 = a12.fma(b0, c12_0);
            FloatVector a13 = FloatVector.broadcast(S, a[ap + 13]);
            c13_0 = a13.fma(b0, c13_0);
        }
        c0_0.intoArray(c, cOff);
        c1_0.intoArray(c, cOff + 1 * ldc);
        c2_0.intoArray(c, cOff + 2 * ldc);
        c3_0.intoArray(c, cOff + 3 * ldc);
        c4_0.intoArray(c, cOff + 4 * ldc);
        c5_0.intoArray(c, cOff + 5 * ldc);
        c6_0.intoArray(c, cOff + 6 * ldc);
        c7_0.intoArray(c, cOff + 7 * ldc);
        c8_0.intoArray(c, cOff + 8 * ldc);
        c9_0.intoArray(c, cOff + 9 * ldc);
        c10_0.intoArray(c, cOff + 10 * ldc);
        c11_0.intoArray(c, cOff + 11 * ldc);
        c12_0.intoArray(c, cOff + 12 * ldc);
        c13_0.intoArray(c, cOff + 13 * ldc);
    }

    /** Rows i..i+7 of packed A ([p][8]) by columns j..j+2L. */
    private static void block8x2(int k, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        FloatVector c0_0 = FloatVector.fromArray(S, c, cOff), c0_1 = FloatVector.fromArray(S, c, cOff + L);
        FloatVector c1_0 = FloatVector.fromArray(S, c, cOff + 1 * ldc), c1_1 = FloatVector.fromArray(S, c, cOff + 1 * ldc + L);
        FloatVector c2_0 = FloatVector.fromArray(S, c, cOff + 2 * ldc), c2_1 = FloatVector.fromArray(S, c, cOff + 2 * ldc + L);
        FloatVector c3_0 = FloatVector.fromArray(S, c, cOff + 3 * ldc), c3_1 = FloatVector.fromArray(S, c, cOff + 3 * ldc + L);
        FloatVector c4_0 = FloatVector.fromArray(S, c, cOff + 4 * ldc), c4_1 = FloatVector.fromArray(S, c, cOff + 4 * ldc + L);
        FloatVector c5_0 = FloatVector.fromArray(S, c, cOff + 5 * ldc), c5_1 = FloatVector.fromArray(S, c, cOff + 5 * ldc + L);
        FloatVector c6_0 = FloatVector.fromArray(S, c, cOff + 6 * ldc), c6_1 = FloatVector.fromArray(S, c, cOff + 6 * ldc + L);
        FloatVector c7_0 = FloatVector.fromArray(S, c, cOff + 7 * ldc), c7_1 = FloatVector.fromArray(S, c, cOff + 7 * ldc + L);
        for (int p = 0; p < k; p++) {
            int row = bOff + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, row);
            FloatVector b1 = FloatVector.fromArray(S, b, row + L);
            int ap = aOff + p * 8;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c0_0 = a0.fma(b0, c0_0); c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
            c1_0 = a1.fma(b0, c1_0); c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
            c2_0 = a2.fma(b0, c2_0); c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
            c3_0 = a3.fma(b0, c3_0); c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
            c4_0 = a4.fma(b0, c4_0); c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
            c5_0 = a5.fma(b0, c5_0); c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ap + 6]);
            c6_0 = a6.fma(b0, c6_0); c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ap + 7]);
            c7_0 = a7.fma(b0, c7_0); c7_1 = a7.fma(b1, c7_1);
        }
        c0_0.intoArray(c, cOff); c0_1.intoArray(c, cOff + L);
        c1_0.intoArray(c, cOff + 1 * ldc); c1_1.intoArray(c, cOff + 1 * ldc + L);
        c2_0.intoArray(c, cOff + 2 * ldc); c2_1.intoArray(c, cOff + 2 * ldc + L);
        c3_0.intoArray(c, cOff + 3 * ldc); c3_1.intoArray(c, cOff + 3 * ldc + L);
        c4_0.intoArray(c, cOff + 4 * ldc); c4_1.intoArray(c, cOff + 4 * ldc + L);
        c5_0.intoArray(c, cOff + 5 * ldc); c5_1.intoArray(c, cOff + 5 * ldc + L);
        c6_0.intoArray(c, cOff + 6 * ldc); c6_1.intoArray(c, cOff + 6 * ldc + L);
        c7_0.intoArray(c, cOff + 7 * ldc); c7_1.intoArray(c, cOff + 7 * ldc + L);
    }
}
