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
            float[] in = Oracle.random(r, n * g.inputSize());
            float[] w = Oracle.random(r, c * k * k);
            float[] bias = r.nextBoolean() ? Oracle.random(r, c) : null;
            float[] residual = r.nextBoolean() ? Oracle.random(r, n * g.outputSize()) : null;
            BlockedDepthwise conv = new BlockedDepthwise(g, w);
            float[] out = new float[n * g.outputSize()];
            Epilogue e = new Epilogue(bias, residual == null ? null : blocked(residual, n, c, g.positions()), Activation.RELU6, 0, false);
            conv.run(TestWorkers.POOL, blocked(in, n, c, ih * iw), out, n, e, Oracle.random(r, conv.workspaceSize()));
            float[] result = new float[out.length];
            ChannelBlocks.toNchw(out, result, n, c, g.positions());
            double[] expected = Oracle.conv2d(in, w, bias, n, g);
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.min(6, Math.max(0, expected[i] + (residual == null ? 0 : residual[i])));
            }
            Oracle.assertClose(expected, result, k * 3 + 3, "trial " + trial + " " + g);
            padded += p > 0 ? 1 : 0;
        }
        assertTrue(padded >= 20, padded + " padded");
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
