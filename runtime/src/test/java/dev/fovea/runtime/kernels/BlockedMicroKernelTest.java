package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The 14 x 32 register tile on its own: every pixel step, both runs, the one-run tiles, sums stored over whatever the tile
 * held, against float64 sums; and a later slice's sums added onto the tile.
 */
class BlockedMicroKernelTest {
    private static final int P = BlockedMicroKernel.PIXELS;
    private static final int N = BlockedMicroKernel.CHANNELS;
    private static final int G = BlockedMicroKernel.GROUP;

    @Test
    void tilesMatchPlainSums() {
        Random r = new Random(83);
        for (int trial = 0; trial < 120; trial++) {
            int groups = 1 + r.nextInt(6);
            int ps = G * (1 + trial % 3);
            int from = r.nextInt(groups);
            int to = from + 1 + r.nextInt(groups - from);
            int aBase = N * r.nextInt(3);
            float[] a = Oracle.random(r, aBase + groups * G * N);
            int[] taps = new int[groups];
            for (int g = 0; g < groups; g++) {
                taps[g] = G * r.nextInt(40);
            }
            int first = r.nextInt(20);
            int second = first + (r.nextBoolean() ? 7 * ps : G * r.nextInt(60));
            float[] b = Oracle.random(r, second + 40 * G + 7 * ps + G);
            int t = N * r.nextInt(4);
            float[] tile = Oracle.random(r, t + P * N);
            double[] expected = new double[P * N];
            for (int p = 0; p < P; p++) {
                int base = (p < 7 ? first : second) + p % 7 * ps;
                for (int o = 0; o < N; o++) {
                    double sum = 0;
                    for (int g = from; g < to; g++) {
                        for (int c = 0; c < G; c++) {
                            sum += (double) a[aBase + (g * G + c) * N + o] * b[base + taps[g] + c];
                        }
                    }
                    expected[p * N + o] = sum;
                }
            }
            float[] before = tile.clone();
            int summed = P;
            int choice = r.nextInt(3);
            if (ps == G && choice == 2) {
                // one run: its 7 pixels summed, the second run's slots left as they were
                BlockedMicroKernel.unitRun(a, aBase, b, first, taps, from, to, tile, t);
                summed = 7;
            } else if (ps == G && choice == 1) {
                BlockedMicroKernel.unitStep(a, aBase, b, first, second, taps, from, to, tile, t);
            } else if (ps == 2 * G && choice == 2) {
                BlockedMicroKernel.twoRun(a, aBase, b, first, taps, from, to, tile, t);
                summed = 7;
            } else if (ps == 2 * G && choice == 1) {
                BlockedMicroKernel.twoStep(a, aBase, b, first, second, taps, from, to, tile, t);
            } else {
                BlockedMicroKernel.anyStep(a, aBase, b, first, second, ps, taps, from, to, tile, t);
            }
            for (int i = 0; i < P * N; i++) {
                double want = i < summed * N ? expected[i] : before[t + i];
                assertEquals(want, tile[t + i], 1e-4 * (Math.abs(want) + Math.sqrt((to - from) * G)),
                        "trial " + trial + ", pixel " + i / N + ", channel " + i % N);
            }
        }
    }

    @Test
    void aLaterSlicesSumsAddOntoTheTile() {
        Random r = new Random(84);
        int floats = P * N;
        float[] tile = Oracle.random(r, 3 * floats);
        float[] before = tile.clone();
        BlockedMicroKernel.addTile(tile, 2 * floats, floats, floats);
        for (int i = 0; i < 3 * floats; i++) {
            float want = i >= floats && i < 2 * floats ? before[i] + before[i + floats] : before[i];
            assertEquals(want, tile[i], "float " + i);
        }
    }
}
