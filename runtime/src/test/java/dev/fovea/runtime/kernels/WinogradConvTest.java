package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Winograd's F(2x2, 3x3) and F(4x4, 3x3) against the float64 oracle's direct sums. */
class WinogradConvTest {
    @Test
    void randomLayersMatchTheOracle() {
        Random r = new Random(83);
        for (int trial = 0; trial < 30; trial++) {
            boolean vgg = trial == 29; // the largest layer it takes: VGG-16's last stage, 512 x 512 channels on 14x14
            boolean odd = trial % 3 == 1; // maps 13 or 27 wide (AlexNet's last three layers), any height
            boolean small = trial % 3 == 2 && !vgg; // any small map (7x7), its runs crossing from sample to sample
            int ow = vgg ? 14 : odd ? 14 * (1 + r.nextInt(2)) - 1 : small ? 2 + r.nextInt(11) : 14 * (1 + r.nextInt(3));
            int oh = vgg ? 14 : odd ? 1 + r.nextInt(13) : small ? 1 + r.nextInt(12) : 2 * (1 + r.nextInt(6));
            int ci = vgg ? 512 : 16 * (1 + r.nextInt(4));
            int co = vgg ? 512 : 32 * (1 + r.nextInt(3));
            int blocks = (oh + 1) / 2 * ((ow + 1) / 2);
            // enough samples for four tiles of blocks; on the other maps, jobs of one or more samples
            int n = vgg ? 1 : small ? (56 + blocks - 1) / blocks + r.nextInt(3) : odd ? 1 + r.nextInt(5) : 1 + r.nextInt(2);
            ConvGeometry g = new ConvGeometry(ci, oh, ow, co, oh, ow, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            assertMatchesOracle(r, g, n, "trial " + trial);
        }
    }

    @Test
    void fourByFourBlocksMatchTheOracle() {
        Random r = new Random(84);
        for (int trial = 0; trial < 12; trial++) {
            boolean wide = trial == 11; // many channels: VGG-16's first 28x28 layer, 256 to 512
            int ow = wide ? 28 : 28 * (1 + r.nextInt(2));
            int oh = wide ? 28 : 4 * (1 + r.nextInt(ow == 28 ? 7 : 3));
            int ci = wide ? 256 : 16 * (1 + r.nextInt(4));
            int co = wide ? 512 : 32 * (1 + r.nextInt(3));
            ConvGeometry g = new ConvGeometry(ci, oh, ow, co, oh, ow, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            assertEquals(4, WinogradConv.outputsPerBlock(g), g.toString());
            assertMatchesOracle(r, g, wide ? 1 : 1 + r.nextInt(3), "trial " + trial);
        }
    }

    /**
     * g on n random samples, with or without a bias, residual (framed or not), ReLU and output frame, against the
     * oracle: each output within a bound of the sum's terms, and within 2e-6 of the largest output on 2x2 blocks,
     * 2e-5 on 4x4 blocks (whose transforms multiply by up to 8, and whose G has sixths).
     */
    private static void assertMatchesOracle(Random r, ConvGeometry g, int n, String trial) {
        int ci = g.ci();
        int co = g.co();
        int oh = g.oh();
        int ow = g.ow();
        boolean relu = r.nextBoolean();
        boolean bias = r.nextBoolean();
        assertTrue(WinogradConv.handles(g, relu ? Activation.RELU : Activation.NONE, false, n), g.toString());
        ChannelBlocks.Frame inFrame = WinogradConv.inputFrame(g);
        ChannelBlocks.Frame outFrame = r.nextBoolean() ? null
                : new ChannelBlocks.Frame(oh + 2 + r.nextInt(2), ow + 1 + r.nextInt(3), 1 + r.nextInt(2), 1);
        float[] in = Oracle.random(r, n * g.inputSize());
        float[] w = Oracle.random(r, co * g.k());
        float[] b = bias ? Oracle.random(r, co) : null;
        float[] residual = r.nextBoolean() ? Oracle.random(r, n * g.outputSize()) : null;
        float[] framedIn = BlockedTensors.framed(BlockedTensors.blocked(in, n, ci, oh * ow), n, ci, oh, ow, inFrame);
        ChannelBlocks.Frame written = outFrame == null ? new ChannelBlocks.Frame(oh, ow, 0, 0) : outFrame;
        float[] out = new float[n * written.floats(co)];
        WinogradConv conv = new WinogradConv(g, w, inFrame, outFrame);
        // a residual inside the frame the input has (a basic block's input, its first convolution's input too), or unframed
        ChannelBlocks.Frame residualFrame = residual != null && co == ci && r.nextBoolean() ? inFrame : null;
        float[] blockedResidual = residual == null ? null : BlockedTensors.blocked(residual, n, co, oh * ow);
        if (residualFrame != null) {
            blockedResidual = BlockedTensors.framed(blockedResidual, n, co, oh, ow, residualFrame);
        }
        Epilogue e = new Epilogue(b, blockedResidual, relu ? Activation.RELU : Activation.NONE, 0, false, residualFrame);
        conv.run(TestWorkers.POOL, framedIn, out, OutputSlice.whole(written.floats(co)), n, e);
        double[] sums = Oracle.conv2d(in, w, b, n, g);
        float[] expected = new float[sums.length];
        for (int i = 0; i < sums.length; i++) {
            double sum = sums[i] + (residual == null ? 0 : residual[i]);
            expected[i] = (float) (relu ? Math.max(0, sum) : sum);
        }
        float[] expectedFramed = BlockedTensors.framed(BlockedTensors.blocked(expected, n, co, oh * ow), n, co, oh, ow, written);
        double largest = 0;
        for (float v : expected) {
            largest = Math.max(largest, Math.abs(v));
        }
        double ofLargest = WinogradConv.outputsPerBlock(g) == 4 ? 2e-5 : 2e-6;
        double bound = Math.min(1e-4 * (Math.sqrt(g.k()) * 3 + 3), ofLargest * largest);
        for (int i = 0; i < out.length; i++) {
            assertTrue(Math.abs(out[i] - expectedFramed[i]) <= bound,
                    trial + " " + g + " float " + i + ": " + out[i] + " against " + expectedFramed[i] + " (bound " + bound + ")");
        }
    }

    @Test
    void takesPaddedStrideOneThreeByThreeOnMapsOfWholeRunsOrJobsOfFourTiles() {
        ConvGeometry fits = new ConvGeometry(64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        assertTrue(WinogradConv.handles(fits, Activation.RELU, false, 1));
        assertFalse(WinogradConv.handles(fits, Activation.RELU, true, 1), "a sum onto the output");
        assertFalse(WinogradConv.handles(fits, Activation.RELU6, false, 1), "ReLU6");
        assertTrue(WinogradConv.handles(new ConvGeometry(512, 14, 14, 512, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1), Activation.RELU, false, 1),
                "512 x 512 channels");
        assertFalse(WinogradConv.handles(new ConvGeometry(1024, 14, 14, 512, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1), Activation.RELU, false, 1),
                "1024 x 512 channels");
        assertFalse(WinogradConv.handles(new ConvGeometry(64, 56, 56, 64, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1, 1), Activation.RELU, false, 1),
                "stride 2");
        assertTrue(WinogradConv.handles(new ConvGeometry(256, 13, 13, 384, 13, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1), Activation.RELU, false, 1),
                "13x13, seven 2x2 blocks a row");
        ConvGeometry small = new ConvGeometry(512, 7, 7, 512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        assertFalse(WinogradConv.handles(small, Activation.RELU, false, 1), "7x7 alone: 16 blocks in three runs of 7");
        assertFalse(WinogradConv.handles(small, Activation.RELU, false, 3), "7x7 at batch 3: 48 blocks");
        assertTrue(WinogradConv.handles(small, Activation.RELU, false, 4), "7x7 at batch 4: runs across samples, 64 blocks");
        assertTrue(WinogradConv.handles(new ConvGeometry(64, 20, 20, 64, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1), Activation.RELU, false, 1),
                "rows of 10 blocks, 100 in all");
    }

    @Test
    void takesFourByFourBlocksWhereTheyCoverTheMapInWholeRuns() {
        assertEquals(4, WinogradConv.outputsPerBlock(new ConvGeometry(64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1)), "56x56");
        assertEquals(4, WinogradConv.outputsPerBlock(new ConvGeometry(128, 28, 28, 128, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1)), "28x28");
        assertEquals(4, WinogradConv.outputsPerBlock(new ConvGeometry(512, 28, 28, 512, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1)), "512 x 512");
        assertEquals(2, WinogradConv.outputsPerBlock(new ConvGeometry(256, 14, 14, 256, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1)),
                "14x14: a quarter of 4x4 blocks' outputs outside the map");
        assertEquals(2, WinogradConv.outputsPerBlock(new ConvGeometry(64, 20, 20, 64, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1)),
                "rows of 5 blocks of 4");
        ChannelBlocks.Frame frame = WinogradConv.inputFrame(new ConvGeometry(64, 28, 28, 64, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1));
        assertEquals(new ChannelBlocks.Frame(30, 30, 1, 1), frame, "the padding all round, as on 2x2 blocks");
    }
}
