package dev.fovea.runtime.kernels.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.ConvGeometry;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The lane layout's moves against index arithmetic, convolutions in lanes giving the same bits
 * whatever the number of threads (their gradients are checked against float64 in LayerGradientTest), and
 * the stride-2 gradients on shapes too large for a finite-difference check against the direct sums.
 */
class LanesTest {
    @Test
    void planesMoveInPaddedAndBackOut() {
        SplittableRandom r = new SplittableRandom(5);
        int channels = 3;
        int h = 5;
        int w = 37; // two whole transposes of 16 and a tail
        int pt = 1;
        int pl = 2;
        int ph = h + 3;
        int pw = w + 3;
        int[] strides = Lanes.sampleStrides(channels * h * w);
        for (int count : new int[] {Lanes.L, Lanes.L - 3}) {
            int b0 = 2;
            float[] x = GemmAndPoolTest.random((b0 + Lanes.L) * channels * h * w, r);
            float[] lanes = GemmAndPoolTest.random(ph * pw * Lanes.L, r); // stale values, which the move must overwrite
            int c = 1;
            Lanes.inPlane(x, b0, count, c, channels, h, w, pt, pl, ph, pw, strides, lanes, 0);
            for (int y = 0; y < ph; y++) {
                for (int xx = 0; xx < pw; xx++) {
                    for (int s = 0; s < Lanes.L; s++) {
                        boolean inside = y >= pt && y < pt + h && xx >= pl && xx < pl + w && s < count;
                        float want = inside ? x[((b0 + s) * channels + c) * h * w + (y - pt) * w + xx - pl] : 0;
                        assertEquals(want, lanes[(y * pw + xx) * Lanes.L + s], "row " + y + " column " + xx + " lane " + s + " of " + count);
                    }
                }
            }
            float[] dx = GemmAndPoolTest.random(x.length, r);
            float[] expected = dx.clone();
            for (int s = 0; s < count; s++) {
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < w; xx++) {
                        expected[((b0 + s) * channels + c) * h * w + y * w + xx] += lanes[((y + pt) * pw + xx + pl) * Lanes.L + s];
                    }
                }
            }
            Lanes.outPadded(lanes, 0, c, channels, h, w, pt, pl, ph, pw, strides, dx, b0, count, true);
            assertArrayEquals(expected, dx);
        }
    }

    @Test
    void matricesTransposeInTilesAndTails() {
        SplittableRandom r = new SplittableRandom(5);
        for (int[] size : new int[][] {{Lanes.L, Lanes.L}, {37, 21}, {3, 50}, {2 * Lanes.L, 3 * Lanes.L + 5}}) {
            int rows = size[0], cols = size[1];
            int srcStride = cols + 3, dstStride = rows + 2;
            float[] src = GemmAndPoolTest.random(7 + rows * srcStride, r);
            float[] dst = GemmAndPoolTest.random(4 + cols * dstStride, r);
            float[] before = dst.clone();
            Lanes.transpose(src, 7, srcStride, rows, cols, dst, 4, dstStride, false);
            float[] added = before.clone();
            Lanes.transpose(src, 7, srcStride, rows, cols, added, 4, dstStride, true);
            for (int j = 0; j < cols; j++) {
                for (int i = 0; i < dstStride; i++) {
                    int at = 4 + j * dstStride + i;
                    float want = i < rows ? src[7 + i * srcStride + j] : before[at]; // the stride's gap untouched
                    assertEquals(want, dst[at], rows + "x" + cols + ": row " + j + " column " + i);
                    assertEquals(i < rows ? before[at] + want : before[at], added[at], rows + "x" + cols + " added: row " + j + " column " + i);
                }
            }
        }
    }

    @Test
    void convolutionsInLanesGiveTheSameBitsOnAnyNumberOfThreads() {
        SplittableRandom r = new SplittableRandom(9);
        ConvGeometry[] shapes = {new ConvGeometry(6, 14, 14, 16, 10, 10, 5, 5, 1, 1, 0, 0, 1, 1, 1), // LeNet's second: scattered data gradient
                new ConvGeometry(16, 14, 14, 16, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1), // "same": the data gradient a flipped forward pass
                new ConvGeometry(5, 15, 15, 7, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1)};
        for (ConvGeometry g : shapes) {
            int batch = 2 * Lanes.L - 1;
            float[] x = GemmAndPoolTest.random(batch * g.inputSize(), r);
            float[] weight = GemmAndPoolTest.random(g.co() * g.k(), r);
            float[] bias = GemmAndPoolTest.random(g.co(), r);
            float[] dy = GemmAndPoolTest.random(batch * g.outputSize(), r);
            float[][] first = null;
            for (int threads : new int[] {1, 2, 3}) {
                try (Workers workers = new Workers(threads)) {
                    ConvTrain conv = new ConvTrain(g, batch, threads, new Scratch());
                    assertEquals(g.kh() == 3 && g.sh() == 1 ? "lanes, Winograd 4x4" : "lanes", conv.kernel());
                    float[] y = new float[batch * g.outputSize()];
                    float[] dx = new float[x.length];
                    float[] dw = new float[weight.length];
                    float[] db = new float[bias.length];
                    conv.forward(workers, x, weight, bias, y);
                    conv.backward(workers, x, weight, dy, dx, dw, db);
                    float[][] results = {y, dx, dw, db};
                    if (first == null) {
                        first = results;
                    }
                    for (int i = 0; i < results.length; i++) {
                        assertArrayEquals(first[i], results[i], g + " on " + threads + " threads, result " + i);
                    }
                    // stored over whatever dx held, the input's gradient is the one added into zeros
                    float[] stored = GemmAndPoolTest.random(x.length, r);
                    conv.backward(workers, x, weight, dy, stored, true, null, null);
                    assertArrayEquals(dx, stored, g + " on " + threads + " threads, stored");
                }
            }
        }
    }

    /**
     * Stride-2 gradients against the direct sums in float64, on shapes too large for a finite-difference check. In
     * lanes, the weight gradient at column stride 2 takes kernel rows in pairs, the output gradient in rows, and the
     * data gradient is scattered back tap by tap; as products (a batch too small for the lanes), im2col and col2im
     * take a kernel row's three taps in one pass. Shapes: 80 channels onto 64 on 7x7 outputs (ResNet's last stride-2
     * layers, scaled down), whose sums take 784 positions and lanes each; 5 channels, whose 45 taps leave 3 after the
     * last run of 6, on an odd map; a 4x4 kernel on a map of odd height and even width; no padding; padding 2; and row
     * stride 3.
     */
    @Test
    void strideTwoGradientsAreTheDirectSums() {
        SplittableRandom r = new SplittableRandom(31);
        ConvGeometry[] shapes = {new ConvGeometry(80, 14, 14, 64, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1),
                new ConvGeometry(5, 15, 15, 7, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1), new ConvGeometry(6, 9, 10, 5, 4, 5, 4, 4, 2, 2, 1, 1, 1, 1, 1),
                new ConvGeometry(4, 11, 12, 6, 5, 5, 3, 3, 2, 2, 0, 0, 1, 1, 1), new ConvGeometry(4, 9, 9, 6, 6, 6, 3, 3, 2, 2, 2, 2, 1, 1, 1),
                new ConvGeometry(7, 20, 20, 9, 7, 10, 3, 3, 3, 2, 1, 1, 1, 1, 1)};
        for (ConvGeometry g : shapes) {
            for (int batch : new int[] {Lanes.L - Lanes.L / 4, 2}) { // the fewest samples that run in lanes, and products
                float[] x = GemmAndPoolTest.random(batch * g.inputSize(), r);
                float[] weight = GemmAndPoolTest.random(g.co() * g.k(), r);
                float[] dy = GemmAndPoolTest.random(batch * g.outputSize(), r);
                double[][] weightSums = new double[2][weight.length];
                double[][] inputSums = new double[2][x.length];
                directGradients(g, batch, x, weight, dy, weightSums, inputSums);
                for (int threads : new int[] {1, 2}) {
                    try (Workers workers = new Workers(threads)) {
                        ConvTrain conv = new ConvTrain(g, batch, threads, new Scratch());
                        String where = g + " batch " + batch + " on " + threads + " threads";
                        assertEquals(batch > 2 ? "lanes" : "im2col", conv.kernel(), where);
                        float[] dw = new float[weight.length];
                        float[] dx = new float[x.length];
                        conv.backward(workers, x, weight, dy, dx, dw, null);
                        for (int i = 0; i < dw.length; i++) {
                            assertEquals(weightSums[0][i], dw[i], 2e-5 * weightSums[1][i] + 1e-6, where + ", weight " + i);
                        }
                        for (int i = 0; i < dx.length; i++) {
                            assertEquals(inputSums[0][i], dx[i], 2e-5 * inputSums[1][i] + 1e-6, where + ", input " + i);
                        }
                        if (conv.storesInputGradient()) {
                            float[] stored = GemmAndPoolTest.random(x.length, r);
                            conv.backward(workers, x, weight, dy, stored, true, null, null);
                            assertArrayEquals(dx, stored, where + ", stored");
                        }
                    }
                }
            }
        }
    }

    /**
     * dW[o][c][ky][kx] and dx[c][iy][ix], the sums over samples and outputs of dy x and of dy W, in float64, each with
     * the sum of its terms' magnitudes ([0] the sums, [1] the magnitudes).
     */
    private static void directGradients(ConvGeometry g, int batch, float[] x, float[] weight, float[] dy, double[][] dw, double[][] dx) {
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < g.co(); o++) {
                for (int c = 0; c < g.ci(); c++) {
                    for (int ky = 0; ky < g.kh(); ky++) {
                        for (int kx = 0; kx < g.kw(); kx++) {
                            int at = ((o * g.ci() + c) * g.kh() + ky) * g.kw() + kx;
                            for (int oy = 0; oy < g.oh(); oy++) {
                                int iy = oy * g.sh() + ky - g.pt();
                                for (int ox = 0; ox < g.ow() && iy >= 0 && iy < g.ih(); ox++) {
                                    int ix = ox * g.sw() + kx - g.pl();
                                    if (ix >= 0 && ix < g.iw()) {
                                        int in = b * g.inputSize() + (c * g.ih() + iy) * g.iw() + ix;
                                        double gradient = dy[b * g.outputSize() + o * g.positions() + oy * g.ow() + ox];
                                        double term = gradient * x[in];
                                        dw[0][at] += term;
                                        dw[1][at] += Math.abs(term);
                                        term = gradient * weight[at];
                                        dx[0][in] += term;
                                        dx[1][in] += Math.abs(term);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
