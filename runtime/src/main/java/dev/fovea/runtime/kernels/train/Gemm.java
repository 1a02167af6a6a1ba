package dev.fovea.runtime.kernels.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two matrix products training needs, single-threaded (callers split the work into tasks):
 * <ul>
 * <li>{@link #nn}: C[m x n] += A[m x k] B[k x n], B's rows contiguous, A read through strides, so the
 * same loop serves A and its transpose. Each A element is broadcast against vectors of a B row: rows
 * in runs of 56 take {@link TallBlocks}' block of 14 rows by 2 vectors (28 of the 32 vector registers),
 * the rows after them a block of 8 rows by 3 vectors (24).</li>
 * <li>{@link #nt}: C[m x n] += A[m x k] B[n x k]^T, both read along k: dot products, 4 rows of A
 * against 4 rows of B per register block.</li>
 * </ul>
 * Every sum runs over k in order, so results do not depend on how callers split rows or columns.
 */
public final class Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Floats in a vector: callers size their blocks by it. */
    public static final int VECTOR = L;
    /** The slice of k whose B panel (KC x 3 vectors, 48 KiB with 16-float vectors) is read from L1 and L2. */
    static final int KC = 256;
    /** Each thread's packed rows of A, for the products whose A changes from call to call; it grows to the largest. */
    private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);
    /** Each thread's copy of the columns after the last whole vector: a slice of B's, then a block of C's ({@link #columnTail}). */
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[(KC + 8) * L]);
    /** Where a task's accumulators are summed lane by lane. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[16 * L]);

    private Gemm() {}

    /**
     * C[i][j] += sum_p A(i, p) * B[p][j], where A(i, p) = a[aOff + i * aRow + p * aCol], B[p][j] =
     * b[bOff + p * ldb + j] and C[i][j] = c[cOff + i * ldc + j].
     *
     * <p>Blocked for the caches: k in slices of {@link #KC}; in each, a panel of B (KC rows by 3 vectors)
     * stays in L1 while every block of 8 rows of C takes it. Each element's sum still runs over k in
     * order: C is stored and reloaded between slices without rounding anything.
     */
    public static void nn(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb, float[] c,
            int cOff, int ldc) {
        float[] packed = packing(packedSize(m, k));
        pack(m, k, a, aOff, aRow, aCol, packed, 0);
        nn(m, n, k, packed, 0, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc);
    }

    /**
     * The same product with the blocks of rows of A already packed by {@link #pack} (a weight used for
     * every sample is packed once); A itself is still read for the rows after the last whole block.
     */
    public static void nn(int m, int n, int k, float[] packed, int packedOff, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff,
            int ldb, float[] c, int cOff, int ldc) {
        int tall = TallBlocks.rows(m);
        if (tall == 0) {
            nnEights(m, n, k, packed, packedOff, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc);
            return;
        }
        // the whole blocks of 8 after the tall ones go with them, panel by panel; single rows after that
        int eights = (m - tall) / 8 * 8;
        TallBlocks.nn(tall, eights, n, k, packed, packedOff, b, bOff, ldb, c, cOff, ldc);
        int done = tall + eights;
        if (m > done) {
            nnEights(m - done, n, k, packed, packedOff + done * k, a, aOff + done * aRow, aRow, aCol, b, bOff, ldb, c, cOff + done * ldc, ldc);
        }
    }

    /** The product in blocks of 8 rows by 3 vectors, then single rows and columns. */
    private static void nnEights(int m, int n, int k, float[] packed, int packedOff, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff,
            int ldb, float[] c, int cOff, int ldc) {
        int blocks = m / 8;
        int wide = n / (3 * L) * 3 * L; // columns the 3-vector blocks take
        int vectors = wide + (n - wide) / L * L; // and the 1-vector blocks of 8 rows after them; scalars after that
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            int slice = packedOff + p0 * blocks * 8;
            int aSlice = aOff + p0 * aCol;
            int bSlice = bOff + p0 * ldb;
            for (int j = 0; j < wide; j += 3 * L) {
                // the panel read by every block of rows, copied together when its rows lie far apart in memory
                // (they share L1's sets): 5 to 15% faster for ResNet-50's products, slower for rows close together
                float[] pb = b;
                int pbOff = bSlice + j;
                int pbLd = ldb;
                if (blocks > 1 && ldb >= FAR_ROWS) {
                    pb = panel(b, bSlice + j, ldb, kc, 3);
                    pbOff = 0;
                    pbLd = 3 * L;
                }
                for (int blk = 0; blk < blocks; blk++) {
                    block8x3(kc, packed, slice + blk * 8 * kc, pb, pbOff, pbLd, c, cOff + blk * 8 * ldc + j, ldc);
                }
                for (int i = blocks * 8; i < m; i++) {
                    block1x3(kc, a, aSlice + i * aRow, aCol, pb, pbOff, pbLd, c, cOff + i * ldc + j);
                }
            }
            for (int j = wide; j < vectors; j += L) {
                for (int blk = 0; blk < blocks; blk++) {
                    block8x1(kc, packed, slice + blk * 8 * kc, b, bSlice + j, ldb, c, cOff + blk * 8 * ldc + j, ldc);
                }
            }
            if (vectors < n && blocks > 0) {
                columnTail(n - vectors, kc, blocks, packed, slice, b, bSlice + vectors, ldb, c, cOff + vectors, ldc);
            }
            for (int i = 0; i < m; i++) {
                rowTail(i < blocks * 8 ? n : wide, n, kc, a, aSlice + i * aRow, aCol, b, bSlice, ldb, c, cOff + i * ldc);
            }
        }
    }

    /**
     * The last {@code tail} (fewer than L) columns of every whole block of 8 rows, in vectors: B's tail
     * columns copied once per slice into rows of L floats (zeros after them), each block's 8 rows of C's
     * tail into a tile of the same width and back, {@link #block8x1} between. Each sum runs as the scalar
     * one would, from C's value over k in order, so the bits do not depend on where the tail falls.
     */
    private static void columnTail(int tail, int k, int blocks, float[] packed, int slice, float[] b, int bOff, int ldb, float[] c, int cOff,
            int ldc) {
        float[] buffer = TAIL.get(); // B's tail (k x L), then C's tile (8 x L)
        int tile = k * L;
        tailOfB(tail, k, b, bOff, ldb, buffer);
        for (int blk = 0; blk < blocks; blk++) {
            int rows = cOff + blk * 8 * ldc;
            tileIn(tail, c, rows, ldc, 8, buffer, tile);
            block8x1(k, packed, slice + blk * 8 * k, buffer, 0, L, buffer, tile, L);
            tileOut(tail, buffer, tile, 8, c, rows, ldc);
        }
    }

    /** B's last {@code tail} columns of k rows into rows of L floats at the start of {@code buffer}, zeros after them. */
    static void tailOfB(int tail, int k, float[] b, int bOff, int ldb, float[] buffer) {
        for (int p = 0; p < k; p++) {
            for (int t = 0; t < L; t++) {
                buffer[p * L + t] = t < tail ? b[bOff + p * ldb + t] : 0;
            }
        }
    }

    /** The first {@code tail} columns of {@code rows} rows of C into a tile of rows of L floats at {@code tile}, zeros after them. */
    static void tileIn(int tail, float[] c, int from, int ldc, int rows, float[] buffer, int tile) {
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < L; t++) {
                buffer[tile + r * L + t] = t < tail ? c[from + r * ldc + t] : 0;
            }
        }
    }

    /** The tile's first {@code tail} columns back into C. */
    static void tileOut(int tail, float[] buffer, int tile, int rows, float[] c, int to, int ldc) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(buffer, tile + r * L, c, to + r * ldc, tail);
        }
    }

    /** Floats {@link #pack} writes for an m x k operand. */
    public static int packedSize(int m, int k) {
        int tall = TallBlocks.rows(m);
        return tall * k + (m - tall) / 8 * 8 * k;
    }

    /** A thread's buffer for packed rows of A, at least {@code size} floats. */
    private static float[] packing(int size) {
        float[] buffer = PACKED.get();
        if (buffer.length < size) {
            buffer = new float[size];
            PACKED.set(buffer);
        }
        return buffer;
    }

    /**
     * Copies A's whole blocks of 8 rows into {@code packed} from {@code packedOff}, slice of k by slice, each block k-major
     * ([slice][block][p][row]), so that a register block reads its 8 broadcasts from one place that
     * moves by 8.
     */
    public static void pack(int m, int k, float[] a, int aOff, int aRow, int aCol, float[] packed, int packedOff) {
        int tall = TallBlocks.rows(m);
        TallBlocks.pack(tall, m, k, a, aOff, aRow, aCol, packed, packedOff);
        packEights(m - tall, k, a, aOff + tall * aRow, aRow, aCol, packed, packedOff + tall * k);
    }

    /** The rows in whole blocks of 8, as {@link #nnEights} reads them. */
    private static void packEights(int m, int k, float[] a, int aOff, int aRow, int aCol, float[] packed, int packedOff) {
        int blocks = m / 8;
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            int blk = 0;
            if (aCol == 1 && L == 16) { // rows of A contiguous: two blocks at a time through 16x16 transposes
                for (; blk + 1 < blocks; blk += 2) {
                    packPair(kc, a, aOff + blk * 8 * aRow + p0, aRow, packed, packedOff + p0 * blocks * 8 + blk * 8 * kc);
                }
            } else if (aCol == 1 && L == 8) { // a block is an 8x8 transpose's rows
                for (; blk < blocks; blk++) {
                    Lanes.transpose(a, aOff + blk * 8 * aRow + p0, aRow, 8, kc, packed, packedOff + p0 * blocks * 8 + blk * 8 * kc, 8, false);
                }
            }
            for (; blk < blocks; blk++) {
                int base = packedOff + p0 * blocks * 8 + blk * 8 * kc;
                for (int r = 0; r < 8; r++) {
                    int source = aOff + (blk * 8 + r) * aRow + p0 * aCol;
                    for (int p = 0; p < kc; p++) {
                        packed[base + p * 8 + r] = a[source + p * aCol];
                    }
                }
            }
        }
    }

    /** kc rows of {@code vectors} vectors of B from bOff (rows ldb apart), side by side in a thread's buffer. */
    static float[] panel(float[] b, int bOff, int ldb, int kc, int vectors) {
        float[] panel = PANEL.get();
        for (int p = 0; p < kc; p++) {
            for (int v = 0; v < vectors; v++) {
                FloatVector.fromArray(S, b, bOff + p * ldb + v * L).intoArray(panel, (p * vectors + v) * L);
            }
        }
        return panel;
    }

    /** Row strides of B from which {@link #nn} copies its panels. */
    static final int FAR_ROWS = 16 * 3 * L;
    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[KC * 3 * L]);

    /**
     * Two blocks of 8 rows of A (rows contiguous, {@code rowStride} apart) for a slice of kc columns: the 16
     * rows transposed to [p][16] in a thread's buffer, then each half of a row to its block's [p][8].
     */
    private static void packPair(int kc, float[] a, int from, int rowStride, float[] packed, int at) {
        float[] pair = PAIR.get();
        Lanes.transpose(a, from, rowStride, 16, kc, pair, 0, 16, false);
        // copies, not vectors of half the width: a second species in the same JVM left other kernels' vectors
        // boxed where the profile saw both
        for (int p = 0; p < kc; p++) {
            System.arraycopy(pair, p * 16, packed, at + p * 8, 8);
            System.arraycopy(pair, p * 16 + 8, packed, at + 8 * kc + p * 8, 8);
        }
    }
    /** {@link #packPair}'s transposed rows, per thread. */
    private static final ThreadLocal<float[]> PAIR = ThreadLocal.withInitial(() -> new float[KC * 16]);

    /** Rows i..i+7 of packed A by columns j..j+3L: 24 accumulators, three B vectors and eight broadcasts per step. */
    private static void block8x3(int k, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.fromArray(S, c, cOff);
        FloatVector c01 = FloatVector.fromArray(S, c, cOff + L);
        FloatVector c02 = FloatVector.fromArray(S, c, cOff + 2 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, cOff + ldc);
        FloatVector c11 = FloatVector.fromArray(S, c, cOff + ldc + L);
        FloatVector c12 = FloatVector.fromArray(S, c, cOff + ldc + 2 * L);
        FloatVector c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
        FloatVector c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + L);
        FloatVector c22 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 2 * L);
        FloatVector c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
        FloatVector c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + L);
        FloatVector c32 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 2 * L);
        FloatVector c40 = FloatVector.fromArray(S, c, cOff + 4 * ldc);
        FloatVector c41 = FloatVector.fromArray(S, c, cOff + 4 * ldc + L);
        FloatVector c42 = FloatVector.fromArray(S, c, cOff + 4 * ldc + 2 * L);
        FloatVector c50 = FloatVector.fromArray(S, c, cOff + 5 * ldc);
        FloatVector c51 = FloatVector.fromArray(S, c, cOff + 5 * ldc + L);
        FloatVector c52 = FloatVector.fromArray(S, c, cOff + 5 * ldc + 2 * L);
        FloatVector c60 = FloatVector.fromArray(S, c, cOff + 6 * ldc);
        FloatVector c61 = FloatVector.fromArray(S, c, cOff + 6 * ldc + L);
        FloatVector c62 = FloatVector.fromArray(S, c, cOff + 6 * ldc + 2 * L);
        FloatVector c70 = FloatVector.fromArray(S, c, cOff + 7 * ldc);
        FloatVector c71 = FloatVector.fromArray(S, c, cOff + 7 * ldc + L);
        FloatVector c72 = FloatVector.fromArray(S, c, cOff + 7 * ldc + 2 * L);
        for (int p = 0; p < k; p++) {
            int row = bOff + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, row);
            FloatVector b1 = FloatVector.fromArray(S, b, row + L);
            FloatVector b2 = FloatVector.fromArray(S, b, row + 2 * L);
            int ap = aOff + p * 8;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
            FloatVector a6 = FloatVector.broadcast(S, a[ap + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            c62 = a6.fma(b2, c62);
            FloatVector a7 = FloatVector.broadcast(S, a[ap + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            c72 = a7.fma(b2, c72);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c02.intoArray(c, cOff + 2 * L);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + L);
        c12.intoArray(c, cOff + ldc + 2 * L);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + L);
        c22.intoArray(c, cOff + 2 * ldc + 2 * L);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + L);
        c32.intoArray(c, cOff + 3 * ldc + 2 * L);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + L);
        c42.intoArray(c, cOff + 4 * ldc + 2 * L);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + L);
        c52.intoArray(c, cOff + 5 * ldc + 2 * L);
        c60.intoArray(c, cOff + 6 * ldc);
        c61.intoArray(c, cOff + 6 * ldc + L);
        c62.intoArray(c, cOff + 6 * ldc + 2 * L);
        c70.intoArray(c, cOff + 7 * ldc);
        c71.intoArray(c, cOff + 7 * ldc + L);
        c72.intoArray(c, cOff + 7 * ldc + 2 * L);
    }

    /** Rows i..i+7 of packed A by one vector of columns. */
    static void block8x1(int k, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        FloatVector c0 = FloatVector.fromArray(S, c, cOff);
        FloatVector c1 = FloatVector.fromArray(S, c, cOff + ldc);
        FloatVector c2 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
        FloatVector c3 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
        FloatVector c4 = FloatVector.fromArray(S, c, cOff + 4 * ldc);
        FloatVector c5 = FloatVector.fromArray(S, c, cOff + 5 * ldc);
        FloatVector c6 = FloatVector.fromArray(S, c, cOff + 6 * ldc);
        FloatVector c7 = FloatVector.fromArray(S, c, cOff + 7 * ldc);
        for (int p = 0; p < k; p++) {
            FloatVector v = FloatVector.fromArray(S, b, bOff + p * ldb);
            int ap = aOff + p * 8;
            c0 = FloatVector.broadcast(S, a[ap]).fma(v, c0);
            c1 = FloatVector.broadcast(S, a[ap + 1]).fma(v, c1);
            c2 = FloatVector.broadcast(S, a[ap + 2]).fma(v, c2);
            c3 = FloatVector.broadcast(S, a[ap + 3]).fma(v, c3);
            c4 = FloatVector.broadcast(S, a[ap + 4]).fma(v, c4);
            c5 = FloatVector.broadcast(S, a[ap + 5]).fma(v, c5);
            c6 = FloatVector.broadcast(S, a[ap + 6]).fma(v, c6);
            c7 = FloatVector.broadcast(S, a[ap + 7]).fma(v, c7);
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + ldc);
        c2.intoArray(c, cOff + 2 * ldc);
        c3.intoArray(c, cOff + 3 * ldc);
        c4.intoArray(c, cOff + 4 * ldc);
        c5.intoArray(c, cOff + 5 * ldc);
        c6.intoArray(c, cOff + 6 * ldc);
        c7.intoArray(c, cOff + 7 * ldc);
    }

    /** One row by columns j..j+3L. */
    private static void block1x3(int k, float[] a, int aOff, int aCol, float[] b, int bOff, int ldb, float[] c, int cOff) {
        FloatVector c0 = FloatVector.fromArray(S, c, cOff);
        FloatVector c1 = FloatVector.fromArray(S, c, cOff + L);
        FloatVector c2 = FloatVector.fromArray(S, c, cOff + 2 * L);
        for (int p = 0; p < k; p++) {
            int row = bOff + p * ldb;
            FloatVector x = FloatVector.broadcast(S, a[aOff + p * aCol]);
            c0 = x.fma(FloatVector.fromArray(S, b, row), c0);
            c1 = x.fma(FloatVector.fromArray(S, b, row + L), c1);
            c2 = x.fma(FloatVector.fromArray(S, b, row + 2 * L), c2);
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + L);
        c2.intoArray(c, cOff + 2 * L);
    }

    /** One row of C from column {@code j0}: whole vectors, then scalars. */
    private static void rowTail(int j0, int n, int k, float[] a, int aOff, int aCol, float[] b, int bOff, int ldb, float[] c, int cOff) {
        int j = j0;
        for (; j + L <= n; j += L) {
            FloatVector acc = FloatVector.fromArray(S, c, cOff + j);
            for (int p = 0; p < k; p++) {
                acc = FloatVector.broadcast(S, a[aOff + p * aCol]).fma(FloatVector.fromArray(S, b, bOff + p * ldb + j), acc);
            }
            acc.intoArray(c, cOff + j);
        }
        for (; j < n; j++) {
            float sum = c[cOff + j];
            for (int p = 0; p < k; p++) {
                sum = Math.fma(a[aOff + p * aCol], b[bOff + p * ldb + j], sum);
            }
            c[cOff + j] = sum;
        }
    }

    /** C[i][j] += sum_p A[i][p] * B[j][p]: A at aOff with row stride lda, B at bOff with ldb, C with ldc. */
    public static void nt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        float[] lanes = LANES.get(); // once per product: a thread-local lookup per block of sums cost 3% of LeNet's step
        int i = 0;
        int n4 = n / 4 * 4;
        for (; i + 4 <= m && n4 > 0; i += 4) {
            for (int j = 0; j < n4; j += 4) {
                dots4x4(k, a, aOff + i * lda, lda, b, bOff + j * ldb, ldb, c, cOff + i * ldc + j, ldc, lanes);
            }
            for (int r = i; r < i + 4; r++) {
                for (int j = n4; j < n; j++) {
                    c[cOff + r * ldc + j] += dot(k, a, aOff + r * lda, b, bOff + j * ldb, lanes);
                }
            }
        }
        for (; i + 2 <= m; i += 2) {
            int j = 0;
            for (; j + 2 <= n; j += 2) {
                dots2x2(k, a, aOff + i * lda, lda, b, bOff + j * ldb, ldb, c, cOff + i * ldc + j, ldc, lanes);
            }
            for (; j < n; j++) {
                c[cOff + i * ldc + j] += dot(k, a, aOff + i * lda, b, bOff + j * ldb, lanes);
                c[cOff + (i + 1) * ldc + j] += dot(k, a, aOff + (i + 1) * lda, b, bOff + j * ldb, lanes);
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[cOff + i * ldc + j] += dot(k, a, aOff + i * lda, b, bOff + j * ldb, lanes);
            }
        }
    }

    /** Four rows of A against four of B: 16 sums in flight, two FMAs per vector loaded. Each sum as {@link #dot} forms it. */
    private static void dots4x4(int k, float[] a, int a0, int lda, float[] b, int b0, int ldb, float[] c, int cOff, int ldc,
            float[] lanes) {
        FloatVector s00 = FloatVector.zero(S);
        FloatVector s01 = FloatVector.zero(S);
        FloatVector s02 = FloatVector.zero(S);
        FloatVector s03 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S);
        FloatVector s11 = FloatVector.zero(S);
        FloatVector s12 = FloatVector.zero(S);
        FloatVector s13 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S);
        FloatVector s21 = FloatVector.zero(S);
        FloatVector s22 = FloatVector.zero(S);
        FloatVector s23 = FloatVector.zero(S);
        FloatVector s30 = FloatVector.zero(S);
        FloatVector s31 = FloatVector.zero(S);
        FloatVector s32 = FloatVector.zero(S);
        FloatVector s33 = FloatVector.zero(S);
        int p = 0;
        for (; p + L <= k; p += L) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(S, a, a0 + lda + p);
            FloatVector x2 = FloatVector.fromArray(S, a, a0 + 2 * lda + p);
            FloatVector x3 = FloatVector.fromArray(S, a, a0 + 3 * lda + p);
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + p);
            FloatVector y1 = FloatVector.fromArray(S, b, b0 + ldb + p);
            FloatVector y2 = FloatVector.fromArray(S, b, b0 + 2 * ldb + p);
            FloatVector y3 = FloatVector.fromArray(S, b, b0 + 3 * ldb + p);
            s00 = x0.fma(y0, s00);
            s01 = x0.fma(y1, s01);
            s02 = x0.fma(y2, s02);
            s03 = x0.fma(y3, s03);
            s10 = x1.fma(y0, s10);
            s11 = x1.fma(y1, s11);
            s12 = x1.fma(y2, s12);
            s13 = x1.fma(y3, s13);
            s20 = x2.fma(y0, s20);
            s21 = x2.fma(y1, s21);
            s22 = x2.fma(y2, s22);
            s23 = x2.fma(y3, s23);
            s30 = x3.fma(y0, s30);
            s31 = x3.fma(y1, s31);
            s32 = x3.fma(y2, s32);
            s33 = x3.fma(y3, s33);
        }
        // stored one by one: vectors put in an array are boxed, and the whole loop slows tenfold
        s00.intoArray(lanes, 0);
        s01.intoArray(lanes, L);
        s02.intoArray(lanes, 2 * L);
        s03.intoArray(lanes, 3 * L);
        s10.intoArray(lanes, 4 * L);
        s11.intoArray(lanes, 5 * L);
        s12.intoArray(lanes, 6 * L);
        s13.intoArray(lanes, 7 * L);
        s20.intoArray(lanes, 8 * L);
        s21.intoArray(lanes, 9 * L);
        s22.intoArray(lanes, 10 * L);
        s23.intoArray(lanes, 11 * L);
        s30.intoArray(lanes, 12 * L);
        s31.intoArray(lanes, 13 * L);
        s32.intoArray(lanes, 14 * L);
        s33.intoArray(lanes, 15 * L);
        for (int q = 0; q < 16; q++) {
            int r = q / 4;
            int col = q % 4;
            float sum = sumLanes(lanes, q * L);
            for (int t = p; t < k; t++) {
                sum = Math.fma(a[a0 + r * lda + t], b[b0 + col * ldb + t], sum);
            }
            c[cOff + r * ldc + col] += sum;
        }
    }

    private static void dots2x2(int k, float[] a, int a0, int lda, float[] b, int b0, int ldb, float[] c, int cOff, int ldc,
            float[] lanes) {
        FloatVector s00 = FloatVector.zero(S);
        FloatVector s01 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S);
        FloatVector s11 = FloatVector.zero(S);
        int p = 0;
        for (; p + L <= k; p += L) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(S, a, a0 + lda + p);
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + p);
            FloatVector y1 = FloatVector.fromArray(S, b, b0 + ldb + p);
            s00 = x0.fma(y0, s00);
            s01 = x0.fma(y1, s01);
            s10 = x1.fma(y0, s10);
            s11 = x1.fma(y1, s11);
        }
        s00.intoArray(lanes, 0);
        s01.intoArray(lanes, L);
        s10.intoArray(lanes, 2 * L);
        s11.intoArray(lanes, 3 * L);
        float r00 = sumLanes(lanes, 0);
        float r01 = sumLanes(lanes, L);
        float r10 = sumLanes(lanes, 2 * L);
        float r11 = sumLanes(lanes, 3 * L);
        for (; p < k; p++) {
            r00 = Math.fma(a[a0 + p], b[b0 + p], r00);
            r01 = Math.fma(a[a0 + p], b[b0 + ldb + p], r01);
            r10 = Math.fma(a[a0 + lda + p], b[b0 + p], r10);
            r11 = Math.fma(a[a0 + lda + p], b[b0 + ldb + p], r11);
        }
        c[cOff] += r00;
        c[cOff + 1] += r01;
        c[cOff + ldc] += r10;
        c[cOff + ldc + 1] += r11;
    }

    /**
     * The lanes summed in order. {@code reduceLanes(ADD)} leaves the order open, and the interpreter and
     * the compiled code do choose differently, which would make a step's result depend on the JIT.
     */
    private static float sumLanes(float[] lanes, int from) {
        float sum = 0;
        for (int i = from; i < from + L; i++) {
            sum += lanes[i];
        }
        return sum;
    }

    private static float dot(int k, float[] a, int a0, float[] b, int b0, float[] lanes) {
        FloatVector s = FloatVector.zero(S);
        int p = 0;
        for (; p + L <= k; p += L) {
            s = FloatVector.fromArray(S, a, a0 + p).fma(FloatVector.fromArray(S, b, b0 + p), s);
        }
        s.intoArray(lanes, 0);
        float r = sumLanes(lanes, 0);
        for (; p < k; p++) {
            r = Math.fma(a[a0 + p], b[b0 + p], r);
        }
        return r;
    }
}
