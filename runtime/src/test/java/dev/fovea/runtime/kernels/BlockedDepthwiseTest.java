package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Depthwise convolution on channel-blocked tensors against the float64 oracle, padding read in place. */
class BlockedDepthwiseTest {
    @Test
    void randomShapesMatchTheOracle() {
        Random r = new Random(61);
        int padded = 0;
        for (int trial = 0; trial < 80; trial++) {
            int k = 1 + r.nextInt(7); // padding up to 6: more than a block of pixels at the left edge
            int s = 1 + r.nextInt(2);
            int p = r.nextInt(k);
            int oh = 1 + r.nextInt(12);
            int ow = 1 + r.nextInt(13);
            int ih = (oh - 1) * s + k - 2 * p + r.nextInt(s);
            int iw = (ow - 1) * s + k - 2 * p + r.nextInt(s);
            if (ih < 1 || iw < 1 || ih + 2 * p < k || iw + 2 * p < k) {
                continue;
            }
            int c = 16 * (1 + r.nextInt(3));
            int n = 1 + r.nextInt(3);
            ConvGeometry g = new ConvGeometry(c, ih, iw, c, oh, ow, k, k, s, s, p, p, 1, 1, c);
            assertTrue(BlockedDepthwise.handles(g, Activation.RELU6));
            check(r, g, n, Activation.RELU6, r.nextBoolean(), "trial " + trial);
            padded += p > 0 ? 1 : 0;
        }
        assertTrue(padded >= 20, padded + " padded");
    }

    /**
     * The 3x3 tile: 7-pixel tiles with a partial last one, bands of rows with a partial last one, padding
     * on every side or none, and each way an epilogue leaves it: clamped in the tile's stores (ReLU,
     * ReLU6) or applied after them (none, a sigmoid, any residual).
     */
    @Test
    void threeByThreeTilesMatchTheOracle() {
        Random r = new Random(62);
        Activation[] activations = {Activation.NONE, Activation.RELU, Activation.RELU6, Activation.SIGMOID};
        int trial = 0;
        for (int s = 1; s <= 2; s++) {
            for (int p = 0; p <= 2; p++) {
                for (int ow : new int[] {1, 5, 7, 9, 14, 16}) {
                    int oh = new int[] {1, 3, 9, 14, 16, 17, 24}[trial % 7]; // one band up to 16 rows, several beyond
                    int ih = (oh - 1) * s + 3 - 2 * p + r.nextInt(s);
                    int iw = (ow - 1) * s + 3 - 2 * p + r.nextInt(s);
                    if (ih < 1 || iw < 1) {
                        continue;
                    }
                    int c = 16 * (1 + r.nextInt(2));
                    ConvGeometry g = new ConvGeometry(c, ih, iw, c, oh, ow, 3, 3, s, s, p, p, 1, 1, c);
                    Activation a = activations[trial % activations.length];
                    check(r, g, 1 + r.nextInt(2), a, trial % 3 == 0, "3x3 trial " + trial + " " + a);
                    trial++;
                }
            }
        }
        assertTrue(trial >= 20, trial + " trials");
    }

    /**
     * MobileNet's shapes, whose rows are whole 7-pixel tiles, read in place: a padding column on the left, on
     * the right or on both (a 7-pixel map), none on the right at stride 2 from an even map, in one band of
     * rows or several with a partial last one.
     */
    @Test
    void wholeTileRowsAreReadInPlace() {
        Random r = new Random(63);
        int[][] shapes = { // channels, input side, stride, output side
            {32, 112, 1, 112}, {64, 14, 1, 14}, {48, 7, 1, 7}, {32, 14, 2, 7}, {32, 13, 2, 7}, {16, 28, 2, 14}, {16, 42, 1, 42}};
        for (int[] s : shapes) {
            ConvGeometry g = new ConvGeometry(s[0], s[1], s[1], s[0], s[3], s[3], 3, 3, s[2], s[2], 1, 1, 1, 1, s[0]);
            assertTrue(new BlockedDepthwise(g, new float[s[0] * 9]).readsInPlace(), g.toString());
            check(r, g, 2, Activation.RELU, false, "in place");
            check(r, g, 1, Activation.NONE, true, "in place, with a residual");
        }
        ConvGeometry partialTile = new ConvGeometry(16, 9, 9, 16, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 16);
        ConvGeometry twoColumns = new ConvGeometry(16, 10, 10, 16, 7, 7, 3, 3, 1, 1, 0, 0, 1, 1, 16);
        ConvGeometry widePadding = new ConvGeometry(16, 5, 5, 16, 7, 7, 3, 3, 1, 1, 2, 2, 1, 1, 16);
        assertFalse(new BlockedDepthwise(partialTile, new float[16 * 9]).readsInPlace());
        assertFalse(new BlockedDepthwise(widePadding, new float[16 * 9]).readsInPlace());
        assertTrue(new BlockedDepthwise(twoColumns, new float[16 * 9]).readsInPlace());
        check(r, twoColumns, 2, Activation.RELU6, false, "in place, no padding");
    }

    /** Runs g on random input, weights, bias and (when asked) residual, and compares with the float64 oracle. */
    private static void check(Random r, ConvGeometry g, int n, Activation activation, boolean withResidual, String label) {
        int c = g.ci();
        int k = g.kh();
        float[] in = Oracle.random(r, n * g.inputSize());
        float[] w = Oracle.random(r, c * k * k);
        float[] bias = r.nextBoolean() ? Oracle.random(r, c) : null;
        float[] residual = withResidual ? Oracle.random(r, n * g.outputSize()) : null;
        BlockedDepthwise conv = new BlockedDepthwise(g, w);
        float[] out = new float[n * g.outputSize()];
        Epilogue e = new Epilogue(bias, residual == null ? null : blocked(residual, n, c, g.positions()), activation, 0, false);
        conv.run(TestWorkers.POOL, blocked(in, n, c, g.ih() * g.iw()), out, n, e, Oracle.random(r, conv.workspaceSize()));
        float[] result = new float[out.length];
        ChannelBlocks.toNchw(out, result, n, c, g.positions());
        double[] expected = Oracle.conv2d(in, w, bias, n, g);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = activation.apply((float) (expected[i] + (residual == null ? 0 : residual[i])), 0);
        }
        Oracle.assertClose(expected, result, k * 3 + 3, label + " " + g);
    }

    @Test
    void takesWholeBlocksWithoutDilation() {
        assertTrue(BlockedDepthwise.handles(new ConvGeometry(32, 8, 8, 32, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 32), Activation.RELU));
        int part = ChannelBlocks.BLOCK + ChannelBlocks.BLOCK / 2; // a block and a half
        assertFalse(BlockedDepthwise.handles(new ConvGeometry(part, 8, 8, part, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, part), Activation.RELU));
        assertFalse(BlockedDepthwise.handles(new ConvGeometry(32, 8, 8, 32, 4, 4, 3, 3, 1, 1, 0, 0, 2, 2, 32), Activation.RELU));
        assertFalse(BlockedDepthwise.handles(new ConvGeometry(32, 8, 8, 32, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 32), Activation.GELU));
    }

    private static float[] blocked(float[] nchw, int n, int channels, int positions) {
        float[] result = new float[nchw.length];
        ChannelBlocks.fromNchw(nchw, result, n, channels, positions);
        return result;
    }
}
