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
        int[][] shapes = {{1, 1, 1}, {8, 48, 16}, {13, 53, 37}, {150, 16, 1100}, {6, 25, 1568}, {17, 70, 300}, {4, 4, 15}};
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
        PoolTrain.maxForward2x2(in, out, switches, 0, 4, 4, 2, 2);
        assertArrayEquals(new float[] {1, 5, 3, 9}, out);
        assertArrayEquals(new int[] {0, 2, 8, 15}, switches);
    }
}
