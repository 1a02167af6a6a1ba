package dev.fovea.runtime.kernels.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.ConvGeometry;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The weight gradient through Winograd's transforms against a float64 direct sum over groups, samples and
 * positions: odd and even maps, channel counts off the vectors and blocks, several groups, both ways of
 * sharing the work (each part of the tiles with its own sums, or jobs shared by all threads), and the
 * same bits on any number of threads. Its gradients in whole layers are checked against finite
 * differences in LayerGradientTest, and ResNet-18's at batch 16 against PyTorch in GradientParityTest.
 */
class LaneWinogradGradientTest {
    private static final int L = Lanes.L;

    @Test
    void matchesTheDirectSumInFloat64() {
        int[][] shapes = { // ci, co, h, w, groups
            {3, 5, 7, 9, 1}, {16, 16, 14, 14, 2}, {35, 13, 4, 5, 1}, {8, 17, 1, 1, 3}, {20, 24, 6, 3, 1}, {40, 9, 11, 2, 2}};
        SplittableRandom r = new SplittableRandom(11);
        for (int[] s : shapes) {
            ConvGeometry g = new ConvGeometry(s[0], s[2], s[3], s[1], s[2], s[3], 3, 3, 1, 1, 1, 1, 1, 1, 1);
            int groups = s[4];
            int ph = s[2] + 2;
            int pw = s[3] + 2;
            int outputRows = (g.co() + 7) / 8 * 8;
            int inputFloats = g.ci() * ph * pw * L + 3;
            int outputFloats = outputRows * g.positions() * L + 5;
            float[] x = new float[groups * inputFloats];
            float[] dy = new float[groups * outputFloats];
            for (int group = 0; group < groups; group++) {
                fillPadded(x, group * inputFloats, g, ph, pw, r);
                for (int i = 0; i < g.co() * g.positions() * L; i++) {
                    dy[group * outputFloats + i] = (float) (r.nextDouble() * 2 - 1);
                }
            }
            float[] start = GemmAndPoolTest.random(g.co() * g.k(), r);
            float[] first = null;
            for (LaneWinograd.Tile tile : LaneWinograd.Tile.values()) for (boolean own : new boolean[] {true, false}) {
                for (int threads : new int[] {1, 2, 3}) {
                    LaneWinogradGradient gradient = new LaneWinogradGradient(new LaneWinograd(g, ph, pw, tile), own);
                    float[] dw = start.clone();
                    try (Workers workers = new Workers(threads)) {
                        gradient.weightGradient(workers, x, inputFloats, dy, outputFloats, groups, new float[gradient.scratchFloats()], dw);
                    }
                    if (first == null) {
                        first = dw;
                        assertClose(g, groups, ph, pw, x, inputFloats, dy, outputFloats, start, dw);
                    } else {
                        assertArrayEquals(first, dw, g + " in " + tile + " tiles" + (own ? ", own parts," : ", shared jobs,") + " on " + threads + " threads");
                    }
                }
                first = null;
            }
        }
    }

    private static void fillPadded(float[] x, int at, ConvGeometry g, int ph, int pw, SplittableRandom r) {
        for (int c = 0; c < g.ci(); c++) {
            for (int iy = 0; iy < g.ih(); iy++) {
                for (int ix = 0; ix < g.iw(); ix++) {
                    for (int lane = 0; lane < L; lane++) {
                        x[at + ((c * ph + iy + 1) * pw + ix + 1) * L + lane] = (float) (r.nextDouble() * 2 - 1);
                    }
                }
            }
        }
    }

    private static void assertClose(ConvGeometry g, int groups, int ph, int pw, float[] x, int inputFloats, float[] dy, int outputFloats,
            float[] start, float[] dw) {
        double worst = 0;
        for (int o = 0; o < g.co(); o++) {
            for (int c = 0; c < g.ci(); c++) {
                // rounding in the transforms mixes a kernel's taps, so each tap's error is measured against the
                // largest tap's sum of term sizes (a tap that reads only padding has a sum and terms of zero)
                double[] sums = new double[9];
                double scale = 0;
                for (int k = 0; k < 9; k++) {
                    double tapScale = 0;
                    int ky = k / 3;
                    int kx = k % 3;
                    for (int group = 0; group < groups; group++) {
                        for (int p = 0; p < g.positions(); p++) {
                            int oy = p / g.ow();
                            int ox = p % g.ow();
                            for (int lane = 0; lane < L; lane++) {
                                double term = (double) dy[group * outputFloats + (o * g.positions() + p) * L + lane]
                                        * x[group * inputFloats + ((c * ph + oy + ky) * pw + ox + kx) * L + lane];
                                sums[k] += term;
                                tapScale += Math.abs(term);
                            }
                        }
                    }
                    scale = Math.max(scale, tapScale);
                }
                for (int k = 0; k < 9; k++) {
                    int i = (o * g.ci() + c) * 9 + k;
                    worst = Math.max(worst, Math.abs(dw[i] - start[i] - sums[k]) / (scale + Math.abs(start[i])));
                }
            }
        }
        assertTrue(worst < 1e-5, g + " in " + groups + " groups: error " + worst + " of the sum of the terms' sizes");
    }
}
