package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kernels other than convolution and pooling, each against a float64 oracle written here from the
 * definition, over random shapes (odd sizes included, to exercise vector tails).
 */
class KernelsTest {
    private final Random r = new Random(17);


    @Test
    void denseMatchesTheOracle() {
        for (int trial = 0; trial < 100; trial++) {
            // every tile (12, 8, 4, 2 and 1 samples) and their sums: up to 40 samples; a last block of units
            // short of its 2 vectors; past 128 features a second chunk, and one short of 128
            int n = 1 + r.nextInt(trial % 2 == 0 ? 10 : 40);
            int features = 1 + r.nextInt(trial % 2 == 0 ? 300 : 700);
            int units = 1 + r.nextInt(70);
            float[] in = Oracle.random(r, n * features);
            float[] w = Oracle.random(r, units * features);
            float[] b = Oracle.random(r, units);
            float[] out = new float[n * units];
            Gemv.run(TestWorkers.POOL, w, in, out, n, features, units, Epilogue.of(b).withActivation(Activation.RELU, 0));
            double[] expected = new double[n * units];
            for (int s = 0; s < n; s++) {
                for (int u = 0; u < units; u++) {
                    double sum = b[u];
                    for (int f = 0; f < features; f++) {
                        sum += (double) in[s * features + f] * w[u * features + f];
                    }
                    expected[s * units + u] = Math.max(0, sum);
                }
            }
            Oracle.assertClose(expected, out, Math.sqrt(features) * 3, "dense " + features + " -> " + units);
            // each sum runs over the features in order whatever tile computes it: a sample alone gets the same bits
            int last = n - 1;
            float[] alone = new float[units];
            Gemv.run(TestWorkers.POOL, w, java.util.Arrays.copyOfRange(in, last * features, n * features), alone, 1, features, units,
                    Epilogue.of(b).withActivation(Activation.RELU, 0));
            assertArrayEquals(java.util.Arrays.copyOfRange(out, last * units, n * units), alone, "dense alone, sample " + last + " of " + n);
        }
    }

    @Test
    void seedTransposedConvolutionExample() {
        // 003: X = [[0,1],[2,3]], K = [[0,1],[2,3]], stride 1, no bias -> [[0,0,1],[0,4,6],[4,12,9]]
        float[] out = new float[9];
        Reference.convTranspose2d(new float[] {0, 1, 2, 3}, new float[] {0, 1, 2, 3}, null, out, 1, 1, 2, 2, 1, 3, 3, 2, 2, 1, 1, 0, 0,
                1, 1, 1);
        assertArrayEquals(new float[] {0, 0, 1, 0, 4, 6, 4, 12, 9}, out);
    }

    @Test
    void transposedConvolutionMatchesTheOracle() {
        for (int trial = 0; trial < 60; trial++) {
            int ci = 1 + r.nextInt(4);
            int co = 1 + r.nextInt(4);
            int k = 1 + r.nextInt(4);
            int s = 1 + r.nextInt(3);
            int p = r.nextInt(k);
            int ih = 1 + r.nextInt(7);
            int iw = 1 + r.nextInt(7);
            int oh = (ih - 1) * s - 2 * p + k;
            int ow = (iw - 1) * s - 2 * p + k;
            if (oh <= 0 || ow <= 0) {
                continue;
            }
            float[] in = Oracle.random(r, ci * ih * iw);
            float[] w = Oracle.random(r, ci * co * k * k);
            float[] out = new float[co * oh * ow];
            Reference.convTranspose2d(in, w, null, out, 1, ci, ih, iw, co, oh, ow, k, k, s, s, p, p, 1, 1, 1);
            // Definition: each output position gathers every input position whose stamp covers it.
            double[] expected = new double[co * oh * ow];
            for (int o = 0; o < co; o++) {
                for (int y = 0; y < oh; y++) {
                    for (int x = 0; x < ow; x++) {
                        double sum = 0;
                        for (int c = 0; c < ci; c++) {
                            for (int iy = 0; iy < ih; iy++) {
                                for (int ix = 0; ix < iw; ix++) {
                                    int ky = y + p - iy * s;
                                    int kx = x + p - ix * s;
                                    if (ky >= 0 && ky < k && kx >= 0 && kx < k) {
                                        sum += (double) in[(c * ih + iy) * iw + ix] * w[((c * co + o) * k + ky) * k + kx];
                                    }
                                }
                            }
                        }
                        expected[(o * oh + y) * ow + x] = sum;
                    }
                }
            }
            Oracle.assertClose(expected, out, 3 * k, "transposed trial " + trial);
        }
    }

    @Test
    void normsAndSoftmaxMatchTheOracle() {
        for (int trial = 0; trial < 40; trial++) {
            int n = 1 + r.nextInt(2);
            int c = 1 + r.nextInt(20);
            int positions = 1 + r.nextInt(30);
            float[] in = Oracle.random(r, n * c * positions);
            float[] gamma = Oracle.random(r, c);
            float[] beta = Oracle.random(r, c);
            float[] mean = Oracle.random(r, c);
            float[] var = new float[c];
            for (int i = 0; i < c; i++) {
                var[i] = 0.2f + r.nextFloat();
            }
            float[] out = new float[in.length];
            double[] bn = new double[in.length];
            double[] ln = new double[in.length];
            double[] sm = new double[in.length];
            double[] lrn = new double[in.length];
            for (int b = 0; b < n; b++) {
                for (int p = 0; p < positions; p++) {
                    double mu = 0;
                    double sq = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < c; k++) {
                        double v = in[(b * c + k) * positions + p];
                        mu += v / c;
                        max = Math.max(max, v);
                    }
                    double z = 0;
                    for (int k = 0; k < c; k++) {
                        double v = in[(b * c + k) * positions + p];
                        sq += (v - mu) * (v - mu) / c;
                        z += Math.exp(v - max);
                    }
                    for (int k = 0; k < c; k++) {
                        int i = (b * c + k) * positions + p;
                        double v = in[i];
                        bn[i] = (v - mean[k]) / Math.sqrt(var[k] + 1e-5) * gamma[k] + beta[k];
                        ln[i] = (v - mu) / Math.sqrt(sq + 1e-6) * gamma[k] + beta[k];
                        sm[i] = Math.exp(v - max) / z;
                        double window = 0;
                        for (int j = Math.max(0, k - 2); j <= Math.min(c - 1, k + 2); j++) {
                            double u = in[(b * c + j) * positions + p];
                            window += u * u;
                        }
                        lrn[i] = v / Math.pow(2 + 1e-4 / 5 * window, 0.75);
                    }
                }
            }
            Reference.batchNorm(in, out, n, c, positions, gamma, beta, mean, var, 1e-5);
            Oracle.assertClose(bn, out, 1, "batch norm");
            Reference.layerNorm(in, out, n, c, positions, gamma, beta, 1e-6);
            Oracle.assertClose(ln, out, 1, "layer norm");
            Reference.softmax(in, out, n, c, positions);
            Oracle.assertClose(sm, out, 0, "softmax");
            Reference.localResponseNorm(in, out, n, c, positions, 5, 1e-4, 0.75, 2);
            Oracle.assertClose(lrn, out, 0, "local response norm");
        }
    }

    @Test
    void adaptiveAveragePoolingUsesPyTorchsBins() {
        // 5 -> 3: bins [0,2), [1,4), [3,5)
        float[] in = {1, 2, 3, 4, 5};
        float[] out = new float[3];
        Reference.adaptiveAvgPool2d(in, out, 1, 1, 1, 5, 1, 3);
        assertArrayEquals(new float[] {1.5f, 3f, 4.5f}, out);
    }

    @Test
    void activationsMatchTheirDefinitions() {
        // GELU(x) = x * Phi(x); Phi(1) = 0.8413447460685429, Phi(-0.5) = 0.3085375387259869
        assertEquals(0.8413447460685429, Activation.GELU.apply(1f, 0), 1e-6);
        assertEquals(-0.5 * 0.3085375387259869, Activation.GELU.apply(-0.5f, 0), 1e-6);
        assertEquals(6f, Activation.RELU6.apply(7.5f, 0));
        assertEquals(-0.2f, Activation.LEAKY_RELU.apply(-2f, 0.1f), 1e-7);
        assertEquals(1 / (1 + Math.exp(-0.3)), Activation.SIGMOID.apply(0.3f, 0), 1e-7);
        assertEquals(0.3 / (1 + Math.exp(-0.3)), Activation.SILU.apply(0.3f, 0), 1e-7);
        assertEquals(Math.tanh(-1.2), Activation.TANH.apply(-1.2f, 0), 1e-7);
        for (double x = -6; x <= 6; x += 0.25) {
            assertEquals(erfSeries(x), Erf.erf(x), 2e-7, "erf(" + x + ")");
        }
    }

    /** erf by its Taylor series (exact enough for |x| <= 6 in double with enough terms). */
    private static double erfSeries(double x) {
        if (Math.abs(x) > 4) {
            return Math.signum(x) * (1 - 1e-8);
        }
        double sum = 0;
        double term = x;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
