package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pooling on channel-blocked tensors against the reference kernels on NCHW. */
class BlockedPoolingTest {
    @Test
    void maxPoolingMatchesTheReference() {
        Random r = new Random(71);
        for (int trial = 0; trial < 60; trial++) {
            int k = 1 + r.nextInt(4);
            int s = 1 + r.nextInt(3);
            int p = r.nextInt(k / 2 + 1);
            assertMaxMatches(r, k, s, p, k + r.nextInt(12), k + r.nextInt(12), r.nextBoolean(), "trial " + trial);
        }
    }

    /**
     * The stems' 3x3 stride-2 pool and Inception's 3x3 stride-1 branch pool, on their own path: odd and even
     * sizes, maps smaller than the window, both paddings, ceil mode or not.
     */
    @Test
    void threeByThreePoolingMatchesTheReference() {
        Random r = new Random(72);
        for (int trial = 0; trial < 80; trial++) {
            int s = 1 + trial % 2;
            int p = r.nextInt(2);
            int ih = 3 - 2 * p + r.nextInt(30);
            int iw = 3 - 2 * p + r.nextInt(30);
            boolean ceil = r.nextBoolean();
            assertTrue(BlockedPooling.threeWide(ih, iw, outputSize(ih, 3, s, p, ceil), outputSize(iw, 3, s, p, ceil), 3, 3, s, s, p, p));
            assertMaxMatches(r, 3, s, p, ih, iw, ceil, "trial " + trial + ": " + ih + "x" + iw + " stride " + s + " pad " + p + (ceil ? " ceil" : ""));
        }
    }

    private static void assertMaxMatches(Random r, int k, int s, int p, int ih, int iw, boolean ceil, String what) {
        int oh = outputSize(ih, k, s, p, ceil);
        int ow = outputSize(iw, k, s, p, ceil);
        int pb = Math.max(0, (oh - 1) * s + k - ih - p);
        int pr = Math.max(0, (ow - 1) * s + k - iw - p);
        int c = 16 * (1 + r.nextInt(3));
        int n = 1 + r.nextInt(2);
        float[] in = Oracle.random(r, n * c * ih * iw);
        float[] expected = new float[n * c * oh * ow];
        Reference.pool2d(true, in, expected, n, c, ih, iw, oh, ow, k, k, s, s, p, p, pb, pr, 1, 1, false);
        float[] blockedIn = new float[in.length];
        ChannelBlocks.fromNchw(in, blockedIn, n, c, ih * iw);
        float[] out = Oracle.random(r, expected.length);
        BlockedPooling.max(blockedIn, out, n, c, ih, iw, oh, ow, k, k, s, s, p, p).accept(TestWorkers.POOL);
        float[] actual = new float[out.length];
        ChannelBlocks.toNchw(out, actual, n, c, oh * ow);
        Oracle.assertClose(toDouble(expected), actual, 1, what);
    }

    /**
     * Written inside a frame (a 3x3 window's border with padding 1, as VGG's next layer reads it): the
     * interior holds the unframed result, value for value, and the border is left as it was.
     */
    @Test
    void maxPoolingWritesInsideAFrameAndLeavesItsBorder() {
        Random r = new Random(74);
        for (int trial = 0; trial < 10; trial++) {
            boolean stem = trial % 2 == 0; // the 3x3 stride-2 path, then the general one
            int k = stem ? 3 : 2;
            int ih = 6 + r.nextInt(20);
            int iw = 6 + r.nextInt(20);
            int oh = outputSize(ih, k, 2, stem ? 1 : 0, false);
            int ow = outputSize(iw, k, 2, stem ? 1 : 0, false);
            int c = 16 * (1 + r.nextInt(3));
            int n = 1 + r.nextInt(2);
            float[] in = Oracle.random(r, n * c * ih * iw);
            float[] plain = new float[n * c * oh * ow];
            BlockedPooling.max(in, plain, n, c, ih, iw, oh, ow, k, k, 2, 2, stem ? 1 : 0, stem ? 1 : 0).accept(TestWorkers.POOL);
            ChannelBlocks.Frame f = new ChannelBlocks.Frame(oh + 2, ow + 2, 1, 1);
            float[] framed = new float[n * f.floats(c)];
            java.util.Arrays.fill(framed, -7f);
            BlockedPooling.max(in, framed, f, n, c, ih, iw, oh, ow, k, k, 2, 2, stem ? 1 : 0, stem ? 1 : 0).accept(TestWorkers.POOL);
            int b = ChannelBlocks.BLOCK;
            for (int block = 0; block < n * c / b; block++) {
                for (int y = 0; y < f.height(); y++) {
                    for (int x = 0; x < f.width(); x++) {
                        for (int lane = 0; lane < b; lane++) {
                            float got = framed[((block * f.height() + y) * f.width() + x) * b + lane];
                            boolean inside = y >= 1 && y <= oh && x >= 1 && x <= ow;
                            float want = inside ? plain[((block * oh + y - 1) * ow + x - 1) * b + lane] : -7f;
                            assertEquals(want, got, "trial " + trial + ", block " + block + " at " + y + "," + x);
                        }
                    }
                }
            }
        }
    }

    @Test
    void unblockingGivesTheNchwTensor() {
        Random r = new Random(75);
        int n = 3;
        int c = 3 * ChannelBlocks.BLOCK;
        int positions = 36;
        float[] nchw = Oracle.random(r, n * c * positions);
        float[] blocked = new float[nchw.length];
        ChannelBlocks.fromNchw(nchw, blocked, n, c, positions);
        float[] actual = Oracle.random(r, nchw.length);
        BlockedPooling.unblock(blocked, actual, n, c, positions).accept(TestWorkers.POOL);
        assertArrayEquals(nchw, actual);
    }

    @Test
    void globalAverageMatchesTheReference() {
        Random r = new Random(73);
        for (int trial = 0; trial < 20; trial++) {
            int c = 16 * (1 + r.nextInt(4));
            int h = 1 + r.nextInt(9);
            int w = 1 + r.nextInt(9);
            int n = 1 + r.nextInt(3);
            float[] in = Oracle.random(r, n * c * h * w);
            float[] expected = new float[n * c];
            Reference.adaptiveAvgPool2d(in, expected, n, c, h, w, 1, 1);
            float[] blockedIn = new float[in.length];
            ChannelBlocks.fromNchw(in, blockedIn, n, c, h * w);
            float[] actual = Oracle.random(r, n * c);
            BlockedPooling.globalAverage(blockedIn, actual, n, c, h * w).accept(TestWorkers.POOL);
            Oracle.assertClose(toDouble(expected), actual, 1, "trial " + trial);
        }
    }

    /** PyTorch's output size; in ceil mode the last window must start inside the input or its left padding. */
    private static int outputSize(int size, int k, int s, int p, boolean ceil) {
        int span = size + 2 * p - k;
        int out = (ceil ? (span + s - 1) / s : span / s) + 1;
        if (ceil && (out - 1) * s >= size + p) {
            out--;
        }
        return out;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
