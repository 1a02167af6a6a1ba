package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast pooling and depthwise kernels against float64 oracles written from the definitions. */
class PoolingAndDepthwiseTest {
    @Test
    void seedPoolingExamples() {
        // 003: [[8,7,5,3],[12,9,5,7],[13,2,10,3],[9,4,5,14]], 2x2 stride 2: max [[12,7],[13,14]], average [[9,5],[7,8]]
        float[] in = {8, 7, 5, 3, 12, 9, 5, 7, 13, 2, 10, 3, 9, 4, 5, 14};
        float[] out = new float[4];
        Pooling.run(TestWorkers.POOL, true, in, out, 1, 4, 4, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, true);
        assertArrayEquals(new float[] {12, 7, 13, 14}, out);
        Pooling.run(TestWorkers.POOL, false, in, out, 1, 4, 4, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, true);
        assertArrayEquals(new float[] {9, 5, 7, 8}, out);
        // 001: a 2x2 window [[0,1],[3,4]] -> 4
        float[] window = {0, 1, 3, 4};
        float[] one = new float[1];
        Pooling.run(TestWorkers.POOL, true, window, one, 1, 2, 2, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, true);
        assertArrayEquals(new float[] {4}, one);
    }

    /** PyTorch's pooling, in float64, with its divisor rules. */
    private static double[] poolOracle(boolean max, float[] in, int planes, int ih, int iw, int oh, int ow, int k, int s, int p,
            boolean includePad) {
        double[] out = new double[planes * oh * ow];
        for (int q = 0; q < planes; q++) {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    int hs = y * s - p;
                    int ws = x * s - p;
                    int he = Math.min(hs + k, ih + p);
                    int we = Math.min(ws + k, iw + p);
                    int pool = (he - hs) * (we - ws);
                    double best = Double.NEGATIVE_INFINITY;
                    double sum = 0;
                    int count = 0;
                    for (int yy = Math.max(hs, 0); yy < Math.min(he, ih); yy++) {
                        for (int xx = Math.max(ws, 0); xx < Math.min(we, iw); xx++) {
                            double v = in[(q * ih + yy) * iw + xx];
                            best = Math.max(best, v);
                            sum += v;
                            count++;
                        }
                    }
                    out[(q * oh + y) * ow + x] = max ? best : sum / (includePad ? pool : count);
                }
            }
        }
        return out;
    }

    @Test
    void poolingOverRandomShapes() {
        Random r = new Random(5);
        for (int trial = 0; trial < 300; trial++) {
            boolean max = r.nextBoolean();
            int k = 1 + r.nextInt(4);
            int s = 1 + r.nextInt(3);
            int p = r.nextInt(k / 2 + 1);
            boolean ceil = r.nextBoolean();
            boolean includePad = r.nextBoolean();
            int ih = k + r.nextInt(30);
            int iw = k + r.nextInt(45);
            int oh = ceil ? ceilSize(ih, k, s, p) : (ih + 2 * p - k) / s + 1;
            int ow = ceil ? ceilSize(iw, k, s, p) : (iw + 2 * p - k) / s + 1;
            int planes = 1 + r.nextInt(6);
            float[] in = Oracle.random(r, planes * ih * iw);
            float[] out = new float[planes * oh * ow];
            Pooling.run(TestWorkers.POOL, max, in, out, planes, ih, iw, oh, ow, k, k, s, s, p, p, p, p, includePad);
            Oracle.assertClose(poolOracle(max, in, planes, ih, iw, oh, ow, k, s, p, includePad), out, 1,
                    "trial " + trial + (max ? " max" : " avg") + " k" + k + " s" + s + " p" + p + " " + ih + "x" + iw + (ceil ? " ceil" : ""));
        }
    }

    private static int ceilSize(int in, int k, int s, int p) {
        int out = (in + 2 * p - k + s - 1) / s + 1;
        return (out - 1) * s >= in + p ? out - 1 : out;
    }

    @Test
    void depthwiseOverRandomShapes() {
        Random r = new Random(9);
        for (int trial = 0; trial < 200; trial++) {
            int c = 1 + r.nextInt(12);
            int k = 1 + 2 * r.nextInt(3);
            int s = 1 + r.nextInt(2);
            int d = r.nextInt(4) == 0 ? 2 : 1;
            int p = r.nextInt(d * (k - 1) / 2 + 2);
            int ih = d * (k - 1) + 1 + r.nextInt(30);
            int iw = d * (k - 1) + 1 + r.nextInt(50);
            int oh = (ih + 2 * p - d * (k - 1) - 1) / s + 1;
            int ow = (iw + 2 * p - d * (k - 1) - 1) / s + 1;
            int n = 1 + r.nextInt(2);
            ConvGeometry g = new ConvGeometry(c, ih, iw, c, oh, ow, k, k, s, s, p, p, d, d, c);
            float[] in = Oracle.random(r, n * g.inputSize());
            float[] w = Oracle.random(r, c * k * k);
            float[] bias = Oracle.random(r, c);
            float[] out = new float[n * g.outputSize()];
            new Depthwise(g, w).run(TestWorkers.POOL, in, out, n, Epilogue.of(bias).withActivation(Activation.RELU6, 0));
            double[] expected = Oracle.conv2d(in, w, bias, n, g);
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.min(6, Math.max(0, expected[i]));
            }
            Oracle.assertClose(expected, out, 3 * k, "trial " + trial + " " + g);
        }
    }
}
