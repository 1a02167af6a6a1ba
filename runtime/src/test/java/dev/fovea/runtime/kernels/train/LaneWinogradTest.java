package dev.fovea.runtime.kernels.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.ConvGeometry;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Winograd's F(2x2, 3x3) and F(4x4, 3x3) on samples in lanes against a float64 direct convolution, lane by
 * lane: maps whose sides are not multiples of the tile's (the last tiles partly outside), channel counts off
 * the register blocks, a map smaller than one tile, chunks and parts of several tiles; and the same bits on
 * any number of threads.
 */
class LaneWinogradTest {
    private static final int L = Lanes.L;

    @Test
    void matchesTheDirectSumInFloat64() {
        int[][] shapes = { // ci, co, h, w
            {3, 5, 7, 9}, {16, 16, 14, 14}, {35, 13, 4, 5}, {8, 17, 1, 1}, {20, 24, 6, 3}, {64, 9, 11, 2}, {600, 8, 3, 3}, {24, 16, 16, 12}};
        SplittableRandom r = new SplittableRandom(3);
        for (LaneWinograd.Tile tile : LaneWinograd.Tile.values()) {
            for (int[] s : shapes) {
                matchesTheDirectSum(new ConvGeometry(s[0], s[2], s[3], s[1], s[2], s[3], 3, 3, 1, 1, 1, 1, 1, 1, 1), tile, r);
            }
        }
    }

    private static void matchesTheDirectSum(ConvGeometry g, LaneWinograd.Tile tile, SplittableRandom r) {
        {
            assertTrue(LaneWinograd.handles(g), g.toString());
            int ph = g.ih() + 2;
            int pw = g.iw() + 2;
            float[] x = paddedInput(g, ph, pw, r);
            float[] weight = GemmAndPoolTest.random(g.co() * g.k(), r);
            float[] bias = GemmAndPoolTest.random(g.co(), r);
            float[] first = null;
            for (int threads : new int[] {1, 2, 3}) {
                float[] y = run(g, tile, ph, pw, x, weight, bias, threads);
                if (first == null) {
                    first = y;
                    assertClose(g, tile, ph, pw, x, weight, bias, y);
                } else {
                    assertArrayEquals(first, y, g + " in " + tile + " tiles on " + threads + " threads");
                }
            }
        }
    }

    /** The data gradient's weights packed from the layer's own, turned and transposed as they are read, as from a copy of them. */
    @Test
    void packsTheFlippedWeightsWithoutACopy() {
        SplittableRandom r = new SplittableRandom(4);
        int ci = 13;
        int co = 21;
        float[] weight = GemmAndPoolTest.random(co * ci * 9, r); // the forward layer's, co x ci x 3 x 3
        float[] turned = new float[weight.length]; // the data gradient's, ci x co x 3 x 3
        for (int o = 0; o < co; o++) {
            for (int c = 0; c < ci; c++) {
                for (int t = 0; t < 9; t++) {
                    turned[(c * co + o) * 9 + t] = weight[(o * ci + c) * 9 + 8 - t];
                }
            }
        }
        for (LaneWinograd.Tile tile : LaneWinograd.Tile.values()) {
            LaneWinograd dataGradient = new LaneWinograd(new ConvGeometry(co, 6, 5, ci, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1), 8, 7, tile);
            float[] fromCopy = new float[dataGradient.packedFloats()];
            float[] direct = new float[dataGradient.packedFloats()];
            for (int ob = 0; ob < dataGradient.outputBlocks(); ob++) {
                dataGradient.pack(turned, fromCopy, 0, ob);
                dataGradient.pack(weight, true, direct, 0, ob);
            }
            assertArrayEquals(fromCopy, direct, tile.toString());
        }
    }

    @Test
    void takesOnlyThreeByThreeSameConvolutionsAtStrideOne() {
        assertTrue(LaneWinograd.handles(new ConvGeometry(4, 8, 8, 4, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1)));
        assertFalse(LaneWinograd.handles(new ConvGeometry(4, 8, 8, 4, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1)), "stride 2");
        assertFalse(LaneWinograd.handles(new ConvGeometry(4, 8, 8, 4, 6, 6, 3, 3, 1, 1, 0, 0, 1, 1, 1)), "no padding");
        assertFalse(LaneWinograd.handles(new ConvGeometry(4, 8, 8, 4, 8, 8, 5, 5, 1, 1, 2, 2, 1, 1, 1)), "5x5");
        assertFalse(LaneWinograd.handles(new ConvGeometry(4, 8, 8, 4, 8, 8, 3, 3, 1, 1, 2, 2, 2, 2, 1)), "dilated");
        assertFalse(LaneWinograd.handles(new ConvGeometry(4, 8, 8, 4, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 2)), "grouped");
    }

    /** A group's input in lanes, padded by one all round (the border zero), channels ph x pw x L apart. */
    private static float[] paddedInput(ConvGeometry g, int ph, int pw, SplittableRandom r) {
        float[] x = new float[g.ci() * ph * pw * L];
        for (int c = 0; c < g.ci(); c++) {
            for (int iy = 0; iy < g.ih(); iy++) {
                for (int ix = 0; ix < g.iw(); ix++) {
                    for (int lane = 0; lane < L; lane++) {
                        x[((c * ph + iy + 1) * pw + ix + 1) * L + lane] = (float) (r.nextDouble() * 2 - 1);
                    }
                }
            }
        }
        return x;
    }

    private static float[] run(ConvGeometry g, LaneWinograd.Tile tile, int ph, int pw, float[] x, float[] weight, float[] bias, int threads) {
        LaneWinograd w = new LaneWinograd(g, ph, pw, tile);
        float[] packed = new float[w.packedFloats() + 5];
        for (int ob = 0; ob < w.outputBlocks(); ob++) {
            w.pack(weight, packed, 5, ob);
        }
        float[] y = new float[7 + g.co() * g.positions() * L];
        try (Workers workers = new Workers(threads)) {
            w.forward(workers, x, 0, packed, 5, bias, y, 7);
        }
        float[] out = new float[g.co() * g.positions() * L];
        System.arraycopy(y, 7, out, 0, out.length);
        return out;
    }

    private static void assertClose(ConvGeometry g, LaneWinograd.Tile tile, int ph, int pw, float[] x, float[] weight, float[] bias, float[] y) {
        double worst = 0;
        for (int o = 0; o < g.co(); o++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    for (int lane = 0; lane < L; lane++) {
                        double sum = bias[o];
                        double scale = Math.abs(bias[o]);
                        for (int c = 0; c < g.ci(); c++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    double term = (double) weight[((o * g.ci() + c) * 3 + ky) * 3 + kx] * x[((c * ph + oy + ky) * pw + ox + kx) * L + lane];
                                    sum += term;
                                    scale += Math.abs(term);
                                }
                            }
                        }
                        double error = Math.abs(y[(o * g.positions() + oy * g.ow() + ox) * L + lane] - sum) / scale;
                        worst = Math.max(worst, error);
                    }
                }
            }
        }
        // F(4x4, 3x3)'s transforms round about 10 times as much as F(2x2, 3x3)'s (measured: up to 2.7e-6 against 1.9e-7)
        double bound = tile == LaneWinograd.Tile.TWO ? 2e-6 : 1e-5;
        assertTrue(worst < bound, g + " in " + tile + " tiles: error " + worst + " of the sum of the terms' sizes");
    }
}
