package dev.fovea.runtime.kernels.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two matrix products training needs, single-threaded (callers split the work into tasks):
 * <ul>
 * <li>{@link #nn}: C[m x n] += A[m x k] B[k x n], B's rows contiguous, A read through strides, so the
 * same loop serves A and its transpose. Each A element is broadcast against two vectors of a B row,
 * in a register block of 4 rows by 2 vectors.</li>
 * <li>{@link #nt}: C[m x n] += A[m x k] B[n x k]^T, both read along k: dot products, 2 rows of A
 * against 2 rows of B per register block.</li>
 * </ul>
 * Every sum runs over k in order, so results do not depend on how callers split rows or columns.
 */
public final class Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Where a task's accumulators are summed lane by lane. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[4 * L]);

    private Gemm() {}

    /**
     * C[i][j] += sum_p A(i, p) * B[p][j], where A(i, p) = a[aOff + i * aRow + p * aCol], B[p][j] =
     * b[bOff + p * ldb + j] and C[i][j] = c[cOff + i * ldc + j].
     */
    public static void nn(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb, float[] c,
            int cOff, int ldc) {
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int j = 0;
            for (; j + 2 * L <= n; j += 2 * L) {
                block4x2(k, a, aOff + i * aRow, aRow, aCol, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc);
            }
            for (int r = 0; r < 4; r++) {
                rowTail(j, n, k, a, aOff + (i + r) * aRow, aCol, b, bOff, ldb, c, cOff + (i + r) * ldc);
            }
        }
        for (; i < m; i++) {
            rowTail(0, n, k, a, aOff + i * aRow, aCol, b, bOff, ldb, c, cOff + i * ldc);
        }
    }

    /** Rows i..i+3 by columns j..j+2L: 8 accumulators, two B vectors and four broadcasts per step. */
    private static void block4x2(int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb, float[] c, int cOff,
            int ldc) {
        FloatVector c00 = FloatVector.fromArray(S, c, cOff);
        FloatVector c01 = FloatVector.fromArray(S, c, cOff + L);
        FloatVector c10 = FloatVector.fromArray(S, c, cOff + ldc);
        FloatVector c11 = FloatVector.fromArray(S, c, cOff + ldc + L);
        FloatVector c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
        FloatVector c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + L);
        FloatVector c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
        FloatVector c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + L);
        for (int p = 0; p < k; p++) {
            int row = bOff + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, row);
            FloatVector b1 = FloatVector.fromArray(S, b, row + L);
            int ap = aOff + p * aCol;
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + aRow]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2 * aRow]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3 * aRow]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + L);
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
        int i = 0;
        for (; i + 2 <= m; i += 2) {
            int j = 0;
            for (; j + 2 <= n; j += 2) {
                dots2x2(k, a, aOff + i * lda, lda, b, bOff + j * ldb, ldb, c, cOff + i * ldc + j, ldc);
            }
            for (; j < n; j++) {
                c[cOff + i * ldc + j] += dot(k, a, aOff + i * lda, b, bOff + j * ldb);
                c[cOff + (i + 1) * ldc + j] += dot(k, a, aOff + (i + 1) * lda, b, bOff + j * ldb);
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[cOff + i * ldc + j] += dot(k, a, aOff + i * lda, b, bOff + j * ldb);
            }
        }
    }

    private static void dots2x2(int k, float[] a, int a0, int lda, float[] b, int b0, int ldb, float[] c, int cOff, int ldc) {
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
        float[] lanes = LANES.get();
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

    private static float dot(int k, float[] a, int a0, float[] b, int b0) {
        FloatVector s = FloatVector.zero(S);
        int p = 0;
        for (; p + L <= k; p += L) {
            s = FloatVector.fromArray(S, a, a0 + p).fma(FloatVector.fromArray(S, b, b0 + p), s);
        }
        float[] lanes = LANES.get();
        s.intoArray(lanes, 0);
        float r = sumLanes(lanes, 0);
        for (; p < k; p++) {
            r = Math.fma(a[a0 + p], b[b0 + p], r);
        }
        return r;
    }
}
