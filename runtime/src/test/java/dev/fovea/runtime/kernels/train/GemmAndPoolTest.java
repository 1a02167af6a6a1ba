package dev.fovea.runtime.kernels.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.graph.Window;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The training GEMMs against float64 sums, over shapes with every kind of tail; max pooling's switches on ties. */
class GemmAndPoolTest {
    /** n uniform values in [-1, 1). */
    static float[] random(int n, SplittableRandom r) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return v;
    }

    @Test
    void productsMatchFloat64Sums() {
        SplittableRandom r = new SplittableRandom(4);
        int[][] shapes = {{1, 1, 1}, {8, 48, 16}, {13, 53, 37}, {150, 16, 1100}, {6, 25, 1568}, {17, 70, 300}, {4, 4, 15}, {40, 33, 270}, {25, 800, 40},
            // 14-row blocks: with 8-row blocks and single rows after them, two slices of k, B panels copied, three row groups
            {120, 53, 37}, {61, 800, 20}, {460, 40, 300}, {1000, 20, 270}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            float[] a = random(m * k, r);
            float[] b = random(k * n, r);
            float[] bt = random(n * k, r);
            float[] nn = random(m * n, r);
            float[] nt = nn.clone();
            double[] wantNn = new double[m * n];
            double[] wantNt = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sumNn = nn[i * n + j];
                    double sumNt = nt[i * n + j];
                    for (int p = 0; p < k; p++) {
                        sumNn += (double) a[i * k + p] * b[p * n + j];
                        sumNt += (double) a[i * k + p] * bt[j * k + p];
                    }
                    wantNn[i * n + j] = sumNn;
                    wantNt[i * n + j] = sumNt;
                }
            }
            Gemm.nn(m, n, k, a, 0, k, 1, b, 0, n, nn, 0, n);
            Gemm.nt(m, n, k, a, 0, k, bt, 0, k, nt, 0, n);
            for (int i = 0; i < m * n; i++) {
                double tolerance = 1e-5 * Math.sqrt(k) + 1e-6;
                assertEquals(wantNn[i], nn[i], tolerance, "nn " + m + "x" + n + "x" + k + " at " + i);
                assertEquals(wantNt[i], nt[i], tolerance, "nt " + m + "x" + n + "x" + k + " at " + i);
            }
        }
    }

    /** A row gets the same bits whether it falls in a 14-row block, an 8-row block after them, or a product of its own. */
    @Test
    void rowsSumAlikeInEveryBlock() {
        SplittableRandom r = new SplittableRandom(7);
        int m = 125, n = 3 * Gemm.VECTOR + 5, k = 300; // 112 rows of 14-row blocks, one block of 8, 5 single rows
        float[] a = random(m * k, r);
        float[] b = random(k * n, r);
        float[] c = random(m * n, r);
        float[] whole = c.clone();
        Gemm.nn(m, n, k, a, 0, k, 1, b, 0, n, whole, 0, n);
        float[] byRows = c.clone();
        for (int i = 0; i < m; i += 8) {
            int rows = Math.min(8, m - i);
            Gemm.nn(rows, n, k, a, i * k, k, 1, b, 0, n, byRows, i * n, n);
        }
        float[] transposed = new float[k * m]; // A read through its columns, as the data gradient reads the weights
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                transposed[p * m + i] = a[i * k + p];
            }
        }
        float[] throughColumns = c.clone();
        Gemm.nn(m, n, k, transposed, 0, 1, m, b, 0, n, throughColumns, 0, n);
        for (int i = 0; i < m * n; i++) {
            assertEquals(byRows[i], whole[i], "row " + i / n + " column " + i % n);
            assertEquals(whole[i], throughColumns[i], "A transposed, row " + i / n + " column " + i % n);
        }
    }

    /** A column gets the same bits whether it falls in a whole vector or in the tail after the last one. */
    @Test
    void columnTailsSumAsWholeVectorsDo() {
        SplittableRandom r = new SplittableRandom(6);
        int m = 16, k = 300, wide = 4 * Gemm.VECTOR, narrow = wide - 3;
        float[] a = random(m * k, r);
        float[] b = random(k * wide, r);
        float[] c = random(m * wide, r);
        float[] full = c.clone();
        Gemm.nn(m, wide, k, a, 0, k, 1, b, 0, wide, full, 0, wide);
        float[] cut = c.clone();
        Gemm.nn(m, narrow, k, a, 0, k, 1, b, 0, wide, cut, 0, wide); // the same rows, the last columns left out
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < wide; j++) {
                assertEquals(j < narrow ? full[i * wide + j] : c[i * wide + j], cut[i * wide + j], "row " + i + " column " + j);
            }
        }
    }

    @Test
    void maxPoolingTwoByTwoPicksTheFirstOfTiesAsPyTorch() {
        // one 4x4 plane: ties within the top pair, within the bottom pair, across the pairs, and a clear maximum
        float[] in = {
            1, 1, 5, 2,
            0, 1, 5, 5,
            3, 0, 7, 2,
            0, 3, 1, 9};
        float[] out = new float[4];
        int[] switches = new int[4];
        assertTrue(PoolTrain.plain2x2(Window.kernel(2).stride(2), 4, 4, 2, 2));
        PoolTrain.maxForward2x2(in, out, switches, 0, 4, 4, 2, 2, PoolTrain.corners2x2(4, 2, 2));
        assertArrayEquals(new float[] {1, 5, 3, 9}, out);
        assertArrayEquals(new int[] {0, 2, 8, 15}, switches);
    }

    /**
     * The vectors of 2x2 max pooling against its scalar form, output by output, on planes of whole vectors
     * and a tail (28x28 to 14x14: 196 outputs), of odd sizes (11x9 to 5x4) and of fewer outputs than a
     * vector: values from four levels so that windows tie, and a few NaNs.
     */
    @Test
    void maxPoolingTwoByTwoInVectorsGivesTheScalarChoices() {
        SplittableRandom r = new SplittableRandom(12);
        int[][] sizes = {{28, 28, 14, 14}, {11, 9, 5, 4}, {10, 10, 5, 5}, {4, 6, 2, 3}};
        for (int[] size : sizes) {
            int ih = size[0], iw = size[1], oh = size[2], ow = size[3];
            int planes = 3;
            float[] in = new float[planes * ih * iw];
            for (int i = 0; i < in.length; i++) {
                in[i] = r.nextInt(50) == 0 ? Float.NaN : r.nextInt(4) - 1.5f;
            }
            float[] out = new float[planes * oh * ow];
            int[] switches = new int[out.length];
            float[] expected = new float[out.length];
            int[] expectedSwitches = new int[out.length];
            int[] corners = PoolTrain.corners2x2(iw, oh, ow);
            for (int p = 0; p < planes; p++) {
                PoolTrain.maxForward2x2(in, out, switches, p, ih, iw, oh, ow, corners);
                maxForward2x2OneByOne(in, expected, expectedSwitches, p, ih, iw, oh, ow);
            }
            String where = ih + "x" + iw;
            assertArrayEquals(expected, out, where);
            assertArrayEquals(expectedSwitches, switches, where);
        }
    }

    /** 2x2 max pooling one output at a time: pairs' maxima, the first of ties, comparisons false for NaN. */
    private static void maxForward2x2OneByOne(float[] in, float[] out, int[] switches, int p, int ih, int iw, int oh, int ow) {
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int at = 2 * y * iw + 2 * x;
                float a = in[p * ih * iw + at];
                float b = in[p * ih * iw + at + 1];
                float c = in[p * ih * iw + at + iw];
                float d = in[p * ih * iw + at + iw + 1];
                float upper = Math.max(a, b);
                float lower = Math.max(c, d);
                int o = (p * oh + y) * ow + x;
                out[o] = Math.max(upper, lower);
                switches[o] = lower > upper ? (d > c ? at + iw + 1 : at + iw) : (b > a ? at + 1 : at);
            }
        }
    }

    /**
     * Max pooling against a plain scan, values drawn from four levels so that windows tie, and a few NaNs:
     * the first maximum wins ties, a window with NaNs takes its last, as PyTorch. ResNet's 3x3 window of
     * stride 2 and padding 1 on a small plane (straight-line code inside, loops on the border) and on rows
     * wide enough for vectors (the last overlapping the one before), and a 2x3 window of strides 3 and 2,
     * dilated, padded.
     */
    @Test
    void maxPoolingKeepsPyTorchsChoices() {
        // ih, iw, kh, kw, sh, sw, padTop, padLeft, dh, dw
        int[][] cases = {{9, 11, 3, 3, 2, 2, 1, 1, 1, 1}, {12, 75, 3, 3, 2, 2, 1, 1, 1, 1}, {13, 90, 2, 3, 3, 2, 1, 2, 2, 3}};
        SplittableRandom r = new SplittableRandom(8);
        for (int[] c : cases) {
            int ih = c[0], iw = c[1], kh = c[2], kw = c[3], sh = c[4], sw = c[5], pt = c[6], pl = c[7], dh = c[8], dw = c[9];
            int oh = (ih + 2 * pt - dh * (kh - 1) - 1) / sh + 1;
            int ow = (iw + 2 * pl - dw * (kw - 1) - 1) / sw + 1;
            int planes = 3;
            float[] in = new float[planes * ih * iw];
            for (int i = 0; i < in.length; i++) {
                in[i] = r.nextInt(40) == 0 ? Float.NaN : r.nextInt(4) - 1.5f;
            }
            float[] out = new float[planes * oh * ow];
            int[] switches = new int[out.length];
            for (int p = 0; p < planes; p++) {
                PoolTrain.maxForwardPlane(in, out, switches, p, ih, iw, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw, PoolTrain.laneColumns(sw));
            }
            for (int p = 0; p < planes; p++) {
                for (int y = 0; y < oh; y++) {
                    for (int x = 0; x < ow; x++) {
                        int want = -1;
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                int iy = y * sh - pt + ky * dh;
                                int ix = x * sw - pl + kx * dw;
                                if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) {
                                    continue;
                                }
                                float v = in[(p * ih + iy) * iw + ix];
                                if (want < 0 || Float.isNaN(v) || v > in[p * ih * iw + want]) {
                                    want = iy * iw + ix;
                                }
                            }
                        }
                        int o = (p * oh + y) * ow + x;
                        String where = ih + "x" + iw + " plane " + p + ", output (" + y + ", " + x + ")";
                        assertEquals(want, switches[o], where);
                        assertEquals(in[p * ih * iw + want], out[o], where);
                    }
                }
            }
        }
    }
}
