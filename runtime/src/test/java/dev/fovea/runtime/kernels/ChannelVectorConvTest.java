package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The convolution vectorised over output channels against the float64 oracle, over random shapes and strides. */
class ChannelVectorConvTest {
    @Test
    void randomShapesMatchTheOracle() {
        Random r = new Random(47);
        int inPlace = 0;
        int strided = 0;
        for (int trial = 0; trial < 150; trial++) {
            boolean pointwise = r.nextInt(3) == 0;
            int kh = pointwise ? 1 : 1 + r.nextInt(5);
            int kw = pointwise ? 1 : 1 + r.nextInt(5);
            int sh = pointwise ? 1 : 1 + r.nextInt(3);
            int sw = pointwise ? 1 : 1 + r.nextInt(3);
            int pt = pointwise ? 0 : r.nextInt(kh);
            int pl = pointwise ? 0 : r.nextInt(kw);
            int ow = 1 + (pointwise ? r.nextInt(16) : r.nextInt(40));
            int oh = 1 + (pointwise ? r.nextInt(16) : r.nextInt(15));
            int iw = (ow - 1) * sw + kw - 2 * pl + r.nextInt(sw);
            int ih = (oh - 1) * sh + kh - 2 * pt + r.nextInt(sh);
            if (iw < 1 || ih < 1 || iw + 2 * pl < kw || ih + 2 * pt < kh) {
                continue;
            }
            int ci = 16 + r.nextInt(40);
            int co = 32 + r.nextInt(100);
            int n = 1 + r.nextInt(3);
            ConvGeometry g = new ConvGeometry(ci, ih, iw, co, oh, ow, kh, kw, sh, sw, pt, pl, 1, 1, 1);
            if (g.isPointwise() && g.positions() > 256) {
                continue; // a 1x1 window drawn with the windows' map sizes: the GEMM's, not this kernel's
            }
            assertTrue(ChannelVectorConv.handles(g, Activation.RELU), g.toString());
            Operands o = Operands.random(r, g, n);
            ChannelVectorConv conv = new ChannelVectorConv(g, o.w());
            Epilogue e = new Epilogue(o.bias(), o.residual(), Activation.RELU6, 0, o.accumulate());
            conv.run(TestWorkers.POOL, o.in(), o.out(), n, e, Oracle.random(r, conv.workspaceSize()));
            Oracle.assertClose(o.expected(g, n, 6), o.out(), Math.sqrt(g.k()) * 3 + 3, "trial " + trial + " " + g);
            inPlace += conv.workspaceSize() == 0 ? 1 : 0;
            strided += sh > 1 || sw > 1 ? 1 : 0;
        }
        assertTrue(inPlace >= 5 && strided >= 40, inPlace + " read in place, " + strided + " strided");
    }

    /** Every mix of NCHW and channel-blocked input and output, the blocked tensors converted for the oracle. */
    @Test
    void blockedLayoutsMatchTheOracle() {
        Random r = new Random(53);
        int[] seen = new int[4];
        for (int trial = 0; trial < 120; trial++) {
            boolean pointwise = r.nextInt(3) == 0;
            int kh = pointwise ? 1 : 1 + r.nextInt(4);
            int kw = pointwise ? 1 : 1 + r.nextInt(4);
            int sh = pointwise ? 1 : 1 + r.nextInt(2);
            int sw = pointwise ? 1 : 1 + r.nextInt(2);
            int pt = pointwise || r.nextInt(3) == 0 ? 0 : r.nextInt(kh);
            int pl = pt == 0 ? 0 : r.nextInt(kw);
            int ow = pointwise ? 7 * (1 + r.nextInt(5)) - r.nextInt(2) : r.nextBoolean() ? 7 * (1 + r.nextInt(3)) : 1 + r.nextInt(30);
            int oh = 1 + r.nextInt(pointwise ? 40 : 12);
            int iw = (ow - 1) * sw + kw - 2 * pl + r.nextInt(sw);
            int ih = (oh - 1) * sh + kh - 2 * pt + r.nextInt(sh);
            if (iw < 1 || ih < 1 || iw + 2 * pl < kw || ih + 2 * pt < kh) {
                continue;
            }
            int ci = r.nextInt(5) == 0 ? 1 + r.nextInt(8) : 16 * (1 + r.nextInt(3));
            // as few output channels as one block, or a block and a half (MobileNet v2's 16 and 24)
            int narrow = ChannelBlocks.BLOCK * (1 + r.nextInt(2)) + (r.nextBoolean() ? ChannelBlocks.BLOCK / 2 : 0);
            int co = r.nextInt(4) == 0 ? narrow : 16 * (2 + r.nextInt(7));
            int n = 1 + r.nextInt(3);
            boolean blockedIn = ChannelBlocks.fits(ci) && r.nextBoolean();
            boolean blockedOut = ChannelBlocks.fits(co) && r.nextBoolean();
            ConvGeometry g = new ConvGeometry(ci, ih, iw, co, oh, ow, kh, kw, sh, sw, pt, pl, 1, 1, 1);
            assertTrue(ChannelVectorConv.handlesBlocked(g, Activation.RELU), g.toString());
            Operands o = Operands.random(r, g, n);
            ChannelVectorConv conv = new ChannelVectorConv(g, o.w(), blockedIn, blockedOut);
            Epilogue e = new Epilogue(o.bias(), blocked(o.residual(), blockedOut, n, co, g.positions()), Activation.RELU6, 0, o.accumulate());
            float[] result = blocked(o.out(), blockedOut, n, co, g.positions());
            conv.run(TestWorkers.POOL, blocked(o.in(), blockedIn, n, ci, ih * iw), result, n, e, Oracle.random(r, conv.workspaceSize()));
            if (blockedOut) {
                ChannelBlocks.toNchw(result.clone(), result, n, co, g.positions());
            }
            Oracle.assertClose(o.expected(g, n, 6), result, Math.sqrt(g.k()) * 3 + 3,
                    "trial " + trial + " " + g + " blocked in " + blockedIn + ", out " + blockedOut);
            seen[(blockedIn ? 2 : 0) + (blockedOut ? 1 : 0)]++;
        }
        for (int mix : seen) {
            assertTrue(mix >= 15, java.util.Arrays.toString(seen));
        }
    }

    /**
     * Blocked outputs with nothing added but the bias (no residual, no sum onto the output) take a shorter
     * epilogue for no activation, ReLU and ReLU6, the general one for leaky ReLU: each matches the oracle,
     * on 3-channel stems read in place at stride 2 (their border runs copied into patches) as on blocked
     * inputs, with sums well beyond ReLU6's cap.
     */
    @Test
    void epiloguesWithoutResidualMatchTheOracle() {
        Random r = new Random(59);
        Activation[] activations = {Activation.NONE, Activation.RELU, Activation.RELU6, Activation.LEAKY_RELU};
        for (int trial = 0; trial < 48; trial++) {
            boolean stem = trial % 2 == 0;
            int ci = stem ? 3 : 16 * (1 + r.nextInt(3));
            int s = stem ? 2 : 1 + r.nextInt(2);
            int k = stem ? 3 : 1 + 2 * r.nextInt(2);
            int p = k / 2;
            int ow = 7 * (1 + r.nextInt(3)) - (stem ? 0 : r.nextInt(2));
            int oh = 1 + r.nextInt(10);
            int iw = (ow - 1) * s + k - 2 * p + r.nextInt(s);
            int ih = (oh - 1) * s + k - 2 * p + r.nextInt(s);
            int co = 16 * (2 + r.nextInt(4));
            int n = 1 + r.nextInt(2);
            Activation a = activations[trial / 2 % activations.length];
            ConvGeometry g = new ConvGeometry(ci, ih, iw, co, oh, ow, k, k, s, s, p, p, 1, 1, 1);
            float[] in = Oracle.random(r, n * g.inputSize());
            float[] w = Oracle.random(r, co * g.k());
            float[] bias = Oracle.random(r, co);
            boolean blockedIn = !stem;
            ChannelVectorConv conv = new ChannelVectorConv(g, w, blockedIn, true);
            float[] result = Oracle.random(r, n * conv.outSampleFloats());
            Epilogue e = new Epilogue(bias, null, a, 0.1f, false);
            conv.run(TestWorkers.POOL, blocked(in, blockedIn, n, ci, ih * iw), result, n, e, Oracle.random(r, conv.workspaceSize()));
            ChannelBlocks.toNchw(result.clone(), result, n, co, g.positions());
            double[] expected = Oracle.conv2d(in, w, bias, n, g);
            int capped = 0;
            for (int i = 0; i < expected.length; i++) {
                capped += expected[i] > Epilogue.CAP ? 1 : 0;
                expected[i] = Oracle.activate(expected[i], e);
            }
            assertTrue(capped > 0, "trial " + trial + ": no sum above the cap");
            Oracle.assertClose(expected, result, Math.sqrt(g.k()) * 3 + 3, "trial " + trial + " " + a + " " + g);
        }
    }

    /**
     * A layer of one weight panel over an input larger than the caches (MobileNet v2's first projection at
     * batch 16) reads each next tile's input ahead of its kernel; its results are the oracle's, at 16
     * output channels (the 28-pixel tile) and at 32 (the 14-pixel one), with the residual and the
     * accumulation the operands draw. The same layer at batch 1 does not read ahead.
     */
    @Test
    void layersThatReadTheirInputAheadMatchTheOracle() {
        Random r = new Random(97);
        int n = 6; // 9.6 MB of input: above ChannelVectorConv.TOUCH_AHEAD_BYTES
        for (int co : new int[] {ChannelBlocks.BLOCK, 2 * ChannelBlocks.BLOCK}) {
            ConvGeometry g = new ConvGeometry(32, 112, 112, co, 112, 112, 1, 1, 1, 1, 0, 0, 1, 1, 1);
            Operands o = Operands.random(r, g, n);
            ChannelVectorConv conv = new ChannelVectorConv(g, o.w(), true, true);
            assertTrue(conv.touchesAhead(n) && !conv.touchesAhead(1), g + " reads ahead at batch " + n + " only");
            Epilogue e = new Epilogue(o.bias(), blocked(o.residual(), true, n, co, g.positions()), Activation.RELU6, 0, o.accumulate());
            float[] result = blocked(o.out(), true, n, co, g.positions());
            conv.run(TestWorkers.POOL, blocked(o.in(), true, n, g.ci(), g.positions()), result, n, e, Oracle.random(r, conv.workspaceSize()));
            ChannelBlocks.toNchw(result.clone(), result, n, co, g.positions());
            Oracle.assertClose(o.expected(g, n, 6), result, Math.sqrt(g.k()) * 3 + 3, g.toString());
        }
    }

    /**
     * A 1x1 layer of several weight panels over an input the caches hold (MobileNet's and ResNet's late
     * layers at batch 1) reads each next tile's input ahead too, in tasks of four panels and of one; its
     * results are the oracle's on a 7x7 map, whose last tile has one run, and on a 14x14 map, at batch 1
     * and 2. Over more than {@code ChannelVectorConv.SHARED_INPUT_BYTES} of input it does not.
     */
    @Test
    void smallPointwiseLayersOfSeveralPanelsReadTheirInputAheadAndMatchTheOracle() {
        Random r = new Random(103);
        int panel = BlockedMicroKernel.CHANNELS;
        for (int side : new int[] {7, 14}) {
            ConvGeometry g = new ConvGeometry(256, side, side, 4 * panel + panel / 2, side, side, 1, 1, 1, 1, 0, 0, 1, 1, 1);
            int co = g.co();
            for (int n = 1; n <= 2; n++) {
                Operands o = Operands.random(r, g, n);
                ChannelVectorConv conv = new ChannelVectorConv(g, o.w(), true, true);
                assertTrue(conv.touchesAhead(n) && conv.panelsTogether(n), g + " reads ahead at batch " + n);
                Epilogue e = new Epilogue(o.bias(), blocked(o.residual(), true, n, co, g.positions()), Activation.RELU6, 0, o.accumulate());
                float[] result = blocked(o.out(), true, n, co, g.positions());
                conv.run(TestWorkers.POOL, blocked(o.in(), true, n, g.ci(), g.positions()), result, n, e, Oracle.random(r, conv.workspaceSize()));
                ChannelBlocks.toNchw(result.clone(), result, n, co, g.positions());
                Oracle.assertClose(o.expected(g, n, 6), result, Math.sqrt(g.k()) * 3 + 3, g + " at batch " + n);
            }
            int beyond = (int) (ChannelVectorConv.SHARED_INPUT_BYTES / ((long) g.inputSize() * Float.BYTES)) + 1;
            ChannelVectorConv conv = new ChannelVectorConv(g, Oracle.random(r, co * g.k()), true, true);
            assertFalse(conv.touchesAhead(beyond), g + " reads ahead at batch " + beyond);
        }
    }

    /**
     * Layers of several weight panels run up to four panels in each task: 1x1 layers at every batch (three
     * panels in one task, five in tasks of four and one), a framed 3x3 stride-2 layer's two over an input
     * larger than the caches (ResNet's at batch 16). Their results are the oracle's, and each sample's are
     * bit for bit those of the same layer at batch 1: for the 3x3 layer, which runs one panel a task there,
     * that is the one-panel path's.
     */
    @Test
    void layersThatRunTheirPanelsTogetherMatchTheOracle() {
        Random r = new Random(101);
        int panel = BlockedMicroKernel.CHANNELS; // 32 channels at AVX-512, 16 at AVX2 width
        // 256 input channels: two slices of the reduction, the second added onto the first
        ConvGeometry pointwise = new ConvGeometry(256, 56, 56, 2 * panel + panel / 2, 56, 56, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        ConvGeometry fivePanels = new ConvGeometry(256, 56, 56, 4 * panel + panel / 2, 56, 56, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        // 9.6 MB of input at batch 3, above ChannelVectorConv.TOUCH_AHEAD_BYTES; in a zero frame, read in place
        ConvGeometry strided = new ConvGeometry(64, 112, 112, 2 * panel, 56, 56, 3, 3, 2, 2, 1, 1, 1, 1, 1);
        assertPanelsTogether(r, pointwise, null, 3, true);
        assertPanelsTogether(r, fivePanels, null, 3, true);
        assertPanelsTogether(r, strided, ChannelBlocks.Frame.around(strided), 3, false);
    }

    private static void assertPanelsTogether(Random r, ConvGeometry g, ChannelBlocks.Frame inFrame, int n, boolean aloneToo) {
        float[] in = Oracle.random(r, n * g.inputSize());
        float[] w = Oracle.random(r, g.co() * g.k());
        float[] bias = Oracle.random(r, g.co());
        float[] blockedIn = blocked(in, true, n, g.ci(), g.ih() * g.iw());
        float[] input = inFrame == null ? blockedIn : BlockedTensors.framed(blockedIn, n, g.ci(), g.ih(), g.iw(), inFrame);
        ChannelVectorConv conv = new ChannelVectorConv(g, w, true, true, inFrame, null);
        assertTrue(conv.panelsTogether(n), g + " runs its panels together at batch " + n);
        assertEquals(aloneToo, conv.panelsTogether(1), g + " runs its panels together at batch 1");
        Epilogue e = new Epilogue(bias, null, Activation.RELU, 0, false);
        float[] out = new float[n * g.outputSize()];
        conv.run(TestWorkers.POOL, input, out, n, e, new float[conv.workspaceSize()]);
        float[] expected = blocked(relu(Oracle.conv2d(in, w, bias, n, g)), true, n, g.co(), g.positions());
        for (int i = 0; i < out.length; i++) {
            assertTrue(Math.abs(out[i] - expected[i]) <= 1e-4 * (Math.sqrt(g.k()) * 3 + 3), g + " float " + i + ": " + out[i] + " against " + expected[i]);
        }
        float[] alone = new float[g.outputSize()];
        conv.run(TestWorkers.POOL, java.util.Arrays.copyOf(input, input.length / n), alone, 1, e, new float[conv.workspaceSize()]);
        assertTrue(java.util.Arrays.equals(alone, java.util.Arrays.copyOf(out, alone.length)), g + ": sample 0 differs from the layer at batch 1");
    }

    /**
     * Two 1x1 layers chained task by task ({@link ChannelVectorConv#runChained}), the second reading the first's
     * output: a first layer of more panels than a task runs together, maps of an odd number of pixel blocks a
     * sample (the last tile one run), a second layer whose last panel is one block, the first layer's residual from its
     * own array or from the output array it writes over. Both outputs are the oracle's, and bit for bit those of
     * the two layers run one after the other.
     */
    @Test
    void chainedPointwiseLayersAreTheLayersRunApart() {
        Random r = new Random(107);
        int panel = BlockedMicroKernel.CHANNELS;
        assertChained(r, 28, 64, 8 * panel, 2 * panel, 2, false);
        assertChained(r, 21, 48, 3 * panel, 2 * panel + ChannelBlocks.BLOCK, 3, true);
        assertChained(r, 7, 2 * panel, 5 * panel, 2 * panel, 3, true);
        ConvGeometry strided = new ConvGeometry(64, 28, 28, 64, 14, 14, 1, 1, 2, 2, 0, 0, 1, 1, 1);
        ConvGeometry after = new ConvGeometry(64, 14, 14, 64, 14, 14, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        assertFalse(new ChannelVectorConv(strided, new float[64 * 64], true, true).canChain(new ChannelVectorConv(after, new float[64 * 64], true, true)));
        ConvGeometry copied = new ConvGeometry(64, 10, 10, 64, 10, 10, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        assertFalse(new ChannelVectorConv(copied, new float[64 * 64], true, true).canChain(new ChannelVectorConv(copied, new float[64 * 64], true, true)));
    }

    private static void assertChained(Random r, int h, int ci, int mid, int co, int n, boolean inPlace) {
        int p = h * h;
        ConvGeometry first = new ConvGeometry(ci, h, h, mid, h, h, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        ConvGeometry second = new ConvGeometry(mid, h, h, co, h, h, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        float[] x = Oracle.random(r, n * ci * p);
        float[] w1 = Oracle.random(r, mid * ci);
        float[] w2 = Oracle.random(r, co * mid);
        float[] b1 = Oracle.random(r, mid);
        float[] b2 = Oracle.random(r, co);
        float[] residual = Oracle.random(r, n * mid * p);
        ChannelVectorConv a = new ChannelVectorConv(first, w1, true, true);
        ChannelVectorConv b = new ChannelVectorConv(second, w2, true, true);
        assertTrue(a.canChain(b), first + " then " + second);
        float[] in = blocked(x, true, n, ci, p);
        float[] blockedResidual = blocked(residual, true, n, mid, p);
        Epilogue e2 = new Epilogue(b2, null, Activation.RELU, 0, false);

        float[] apartMid = inPlace ? blockedResidual.clone() : new float[blockedResidual.length];
        float[] apartOut = new float[n * co * p];
        a.run(TestWorkers.POOL, in, apartMid, n, new Epilogue(b1, inPlace ? apartMid : blockedResidual, Activation.RELU, 0, false), null);
        b.run(TestWorkers.POOL, apartMid, apartOut, n, e2, null);

        float[] chainedMid = inPlace ? blockedResidual.clone() : new float[blockedResidual.length];
        float[] chainedOut = new float[n * co * p];
        a.runChained(TestWorkers.POOL, in, chainedMid, new Epilogue(b1, inPlace ? chainedMid : blockedResidual, Activation.RELU, 0, false), b,
                chainedOut, OutputSlice.whole(co * p), e2, n);
        String what = first + " then " + second + " at batch " + n + (inPlace ? ", the residual in place" : "");
        assertTrue(java.util.Arrays.equals(apartMid, chainedMid), what + ": the first layer's output differs");
        assertTrue(java.util.Arrays.equals(apartOut, chainedOut), what + ": the second layer's output differs");

        double[] mid1 = Oracle.conv2d(x, w1, b1, n, first);
        for (int i = 0; i < mid1.length; i++) {
            mid1[i] += residual[i];
        }
        assertNear(blocked(relu(mid1), true, n, mid, p), chainedMid, first, what);
        float[] midNchw = new float[mid1.length];
        for (int i = 0; i < midNchw.length; i++) {
            midNchw[i] = (float) Math.max(0, mid1[i]);
        }
        assertNear(blocked(relu(Oracle.conv2d(midNchw, w2, b2, n, second)), true, n, co, p), chainedOut, second, what);
    }

    private static void assertNear(float[] expected, float[] actual, ConvGeometry g, String what) {
        double tolerance = 1e-4 * (Math.sqrt(g.k()) * 3 + 3);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(actual[i] - expected[i]) <= tolerance * Math.max(1, Math.abs(expected[i])),
                    what + ", " + g + " float " + i + ": " + actual[i] + " against " + expected[i]);
        }
    }

    /**
     * One block of output channels from a blocked input at stride 1 (MobileNet v2's 16-channel
     * projection) takes the 28-pixel tile: 1x1 layers read in place and 3x3 layers from a padded copy,
     * maps whose last tile has one to four runs, reductions of one slice and of several, blocked or NCHW
     * out, with the residual and the accumulation the operands draw.
     */
    @Test
    void oneOutputBlockOnTheTwentyEightPixelTileMatchesTheOracle() {
        Random r = new Random(71);
        boolean[] lastRuns = new boolean[4];
        for (int trial = 0; trial < 40; trial++) {
            boolean pointwise = trial % 2 == 0;
            int k = pointwise ? 1 : 3;
            int ow = 7 * (1 + r.nextInt(3)) - (pointwise ? 0 : r.nextInt(7));
            int oh = 1 + r.nextInt(6);
            int ci = 16 * (1 + r.nextInt(pointwise ? 12 : 4));
            int n = 1 + r.nextInt(3);
            ConvGeometry g = new ConvGeometry(ci, oh, ow, 16, oh, ow, k, k, 1, 1, k / 2, k / 2, 1, 1, 1);
            Operands o = Operands.random(r, g, n);
            boolean blockedOut = r.nextBoolean();
            ChannelVectorConv conv = new ChannelVectorConv(g, o.w(), true, blockedOut);
            assertTrue(conv.readsOneBlock() || VectorRegisters.few(), g.toString());
            Epilogue e = new Epilogue(o.bias(), blocked(o.residual(), blockedOut, n, 16, g.positions()), Activation.RELU, 0, o.accumulate());
            float[] result = blocked(o.out(), blockedOut, n, 16, g.positions());
            conv.run(TestWorkers.POOL, blocked(o.in(), true, n, ci, oh * ow), result, n, e, Oracle.random(r, conv.workspaceSize()));
            if (blockedOut) {
                ChannelBlocks.toNchw(result.clone(), result, n, 16, g.positions());
            }
            Oracle.assertClose(o.expected(g, n, Double.POSITIVE_INFINITY), result, Math.sqrt(g.k()) * 3 + 3,
                    "trial " + trial + " " + g + " blocked out " + blockedOut);
            int blocks = pointwise ? g.positions() / 7 : oh * ((ow + 6) / 7);
            lastRuns[(blocks - 1) % 4] = true;
        }
        for (boolean seen : lastRuns) {
            assertTrue(seen, "a last tile of every length");
        }
        assertTrue(!new ChannelVectorConv(new ConvGeometry(32, 8, 8, 32, 8, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1), Oracle.random(r, 32 * 32), true, true)
                .readsOneBlock(), "two blocks take the 14x32 tile");
    }

    /**
     * Stems: a 7-wide window at column stride 2 over a few NCHW channels takes the row tile, whatever
     * the window's height, the row stride, the padding and the map's width (runs cut short at a row's
     * end, an odd number of runs), into NCHW or blocks, with ReLU and ReLU6.
     */
    @Test
    void stemsOnTheRowTileMatchTheOracle() {
        Random r = new Random(61);
        for (int trial = 0; trial < 40; trial++) {
            int kh = 1 + r.nextInt(7);
            int sh = 1 + r.nextInt(3);
            int pt = r.nextInt(kh);
            int pl = r.nextInt(7);
            int ow = 1 + r.nextInt(30);
            int oh = 1 + r.nextInt(8);
            int iw = Math.max(1, (ow - 1) * 2 + 7 - 2 * pl + r.nextInt(2));
            int ih = Math.max(1, (oh - 1) * sh + kh - 2 * pt + r.nextInt(sh));
            int ci = 1 + r.nextInt(4);
            int co = 16 * (2 + r.nextInt(5));
            int n = 1 + r.nextInt(3);
            boolean blockedOut = r.nextBoolean();
            boolean capped = r.nextBoolean();
            ConvGeometry g = new ConvGeometry(ci, ih, iw, co, oh, ow, kh, 7, sh, 2, pt, pl, 1, 1, 1);
            Operands o = Operands.random(r, g, n);
            ChannelVectorConv conv = new ChannelVectorConv(g, o.w(), false, blockedOut);
            // with 16 vector registers the narrow tile's passes take these stems instead
            assertEquals(!VectorRegisters.few(), conv.readsRows(), g.toString());
            assertNchwInputMatchesTheOracle(r, conv, g, o, n, blockedOut, capped, "trial " + trial);
        }
        assertTrue(!new ChannelVectorConv(new ConvGeometry(3, 15, 15, 32, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1), Oracle.random(r, 32 * 27), false, true)
                .readsRows(), "a 3-wide window stays off the row tile");
    }

    /**
     * NCHW inputs off the row tile take the 14x32 tile, in panels of 32 output channels: MobileNet's stem
     * (3x3 at stride 2 from 3 channels to 32), AlexNet's first layer (64 channels), other windows and
     * strides, stride-2 windows read in place (runs at the border through patches), 1x1 layers read in
     * place, maps whose last tile has one run, into NCHW (any channel count, a last panel part-filled) or
     * blocks (16 to 96), with ReLU and ReLU6.
     */
    @Test
    void narrowLayersOnTheFourteenPixelTileMatchTheOracle() {
        Random r = new Random(67);
        int oneRun = 0;
        int inPlace = 0;
        for (int trial = 0; trial < 60; trial++) {
            boolean pointwise = trial % 4 == 3;
            int k = pointwise ? 1 : trial % 2 == 0 ? 3 : 1 + r.nextInt(5);
            int s = pointwise ? 1 : trial % 2 == 0 ? 2 : 1 + r.nextInt(2);
            int p = pointwise ? 0 : r.nextInt(k);
            int ow = pointwise ? 7 * (1 + r.nextInt(4)) : 1 + r.nextInt(30);
            int oh = 1 + r.nextInt(8);
            int iw = Math.max(1, (ow - 1) * s + k - 2 * p);
            int ih = Math.max(1, (oh - 1) * s + k - 2 * p);
            if (iw + 2 * p < k || ih + 2 * p < k || (iw + 2 * p - k) / s + 1 != ow || (ih + 2 * p - k) / s + 1 != oh) {
                continue;
            }
            int ci = trial % 2 == 0 ? 3 : 1 + r.nextInt(40);
            boolean blockedOut = r.nextBoolean();
            int co = blockedOut ? ChannelBlocks.BLOCK * (1 + r.nextInt(6)) : 1 + r.nextInt(100);
            int n = 1 + r.nextInt(3);
            boolean capped = r.nextBoolean();
            ConvGeometry g = new ConvGeometry(ci, ih, iw, co, oh, ow, k, k, s, s, p, p, 1, 1, 1);
            Operands o = Operands.random(r, g, n);
            ChannelVectorConv conv = new ChannelVectorConv(g, o.w(), false, blockedOut);
            assertTrue(conv.readsNarrow(), g.toString());
            assertNchwInputMatchesTheOracle(r, conv, g, o, n, blockedOut, capped, "trial " + trial);
            int runs = pointwise ? g.positions() / 7 : oh * ((ow + 6) / 7);
            oneRun += runs % 2;
            inPlace += !pointwise && conv.workspaceSize() == 0 ? 1 : 0;
        }
        assertTrue(oneRun >= 10, oneRun + " layers with a one-run last tile");
        assertTrue(inPlace >= 10, inPlace + " stride-2 windows read in place, with patches at the border");
        assertTrue(new ChannelVectorConv(new ConvGeometry(16, 8, 8, 48, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1), Oracle.random(r, 48 * 144), false, true)
                .readsNarrow(), "48 channels take the 14x32 tile, in two panels");
    }

    /** Runs a convolution from an NCHW input into NCHW or blocks, with ReLU or ReLU6, and holds it to the oracle. */
    private static void assertNchwInputMatchesTheOracle(Random r, ChannelVectorConv conv, ConvGeometry g, Operands o, int n, boolean blockedOut,
            boolean capped, String what) {
        int co = g.co();
        Epilogue e = new Epilogue(o.bias(), blocked(o.residual(), blockedOut, n, co, g.positions()), capped ? Activation.RELU6 : Activation.RELU,
                0, o.accumulate());
        float[] result = blocked(o.out(), blockedOut, n, co, g.positions());
        conv.run(TestWorkers.POOL, o.in(), result, n, e, Oracle.random(r, conv.workspaceSize()));
        if (blockedOut) {
            ChannelBlocks.toNchw(result.clone(), result, n, co, g.positions());
        }
        Oracle.assertClose(o.expected(g, n, capped ? 6 : Double.POSITIVE_INFINITY), result, Math.sqrt(g.k()) * 3 + 3,
                what + " " + g + " blocked out " + blockedOut);
    }

    /** Blocked tensors stored inside zero borders: an input framed for the window, an output framed for a next layer. */
    @Test
    void framedTensorsMatchTheOracle() {
        Random r = new Random(59);
        for (int trial = 0; trial < 40; trial++) {
            int k = 1 + 2 * r.nextInt(2);
            int s = 1 + r.nextInt(2);
            int p = k / 2;
            int ow = 7 * (1 + r.nextInt(2));
            int oh = 1 + r.nextInt(9);
            int iw = (ow - 1) * s + k - 2 * p + r.nextInt(s);
            int ih = (oh - 1) * s + k - 2 * p + r.nextInt(s);
            int ci = 16 * (1 + r.nextInt(3));
            int co = 16 * (2 + r.nextInt(4));
            int n = 1 + r.nextInt(3);
            ConvGeometry g = new ConvGeometry(ci, ih, iw, co, oh, ow, k, k, s, s, p, p, 1, 1, 1);
            ChannelBlocks.Frame inFrame = ChannelBlocks.Frame.around(g);
            ChannelBlocks.Frame outFrame = new ChannelBlocks.Frame(oh + 2 + r.nextInt(2), ow + 1 + r.nextInt(3), 1 + r.nextInt(2), 1);
            float[] in = Oracle.random(r, n * g.inputSize());
            float[] w = Oracle.random(r, co * g.k());
            float[] bias = Oracle.random(r, co);
            float[] framedIn = BlockedTensors.framed(blocked(in, true, n, ci, ih * iw), n, ci, ih, iw, inFrame);
            float[] framedOut = new float[n * outFrame.floats(co)];
            ChannelVectorConv conv = new ChannelVectorConv(g, w, true, true, inFrame, outFrame);
            assertTrue(conv.workspaceSize() == 0, "a framed input is read in place");
            conv.run(TestWorkers.POOL, framedIn, framedOut, n, new Epilogue(bias, null, Activation.RELU, 0, false), new float[0]);
            float[] expected = blocked(relu(Oracle.conv2d(in, w, bias, n, g)), true, n, co, g.positions());
            float[] expectedFramed = BlockedTensors.framed(expected, n, co, oh, ow, outFrame);
            for (int i = 0; i < framedOut.length; i++) {
                assertTrue(Math.abs(framedOut[i] - expectedFramed[i]) <= 1e-4 * (Math.sqrt(g.k()) * 3 + 3),
                        "trial " + trial + " " + g + " float " + i + ": " + framedOut[i] + " against " + expectedFramed[i]);
            }
        }
    }

    private static float[] relu(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) Math.max(0, v[i]);
        }
        return f;
    }

    /** Random operands of one test convolution; {@code out} starts random, as an accumulated sum would. */
    private record Operands(float[] in, float[] w, float[] bias, float[] residual, float[] out, float[] before, boolean accumulate) {
        static Operands random(Random r, ConvGeometry g, int n) {
            float[] in = Oracle.random(r, n * g.inputSize());
            float[] w = Oracle.random(r, g.co() * g.k());
            float[] bias = r.nextBoolean() ? Oracle.random(r, g.co()) : null;
            float[] residual = Oracle.random(r, n * g.outputSize());
            float[] out = Oracle.random(r, n * g.outputSize());
            return new Operands(in, w, bias, residual, out, out.clone(), r.nextBoolean());
        }

        /** The oracle's sums with the residual and (when accumulating) the output's former values added, clamped to [0, max]. */
        double[] expected(ConvGeometry g, int n, double max) {
            double[] expected = Oracle.conv2d(in, w, bias, n, g);
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.min(max, Math.max(0, expected[i] + residual[i] + (accumulate ? before[i] : 0)));
            }
            return expected;
        }
    }

    /**
     * Channel counts that do not fill blocks (MobileNet v2's 24) travel blocked, the last block padded with
     * zeros: written by any layer, from NCHW or blocked input (whole or padded), with a padded residual or
     * onto a padded sum, and read by 1x1 layers into NCHW, whole or padded blocks. The results match the
     * oracle, and the padding lanes come out zero whatever the output held before.
     */
    @Test
    void paddedBlocksMatchTheOracle() {
        Random r = new Random(89);
        int b = ChannelBlocks.BLOCK;
        int[] padding = {b + b / 2, 2 * b + b / 2, 3 * b + b / 2}; // 24, 40 and 56 with 16-float vectors
        int paddedIn = 0;
        int paddedOut = 0;
        for (int trial = 0; trial < 60; trial++) {
            boolean readsPadded = trial % 2 == 0;
            int k = readsPadded ? 1 : 1 + 2 * r.nextInt(2);
            int s = readsPadded ? 1 : 1 + r.nextInt(2);
            int ow = readsPadded ? 7 * (1 + r.nextInt(3)) : 1 + r.nextInt(20);
            int oh = 1 + r.nextInt(6);
            int ih = (oh - 1) * s + k - 2 * (k / 2);
            int iw = (ow - 1) * s + k - 2 * (k / 2);
            int ci = readsPadded ? padding[r.nextInt(3)] : r.nextBoolean() ? 3 : b * (1 + r.nextInt(2));
            int co = !readsPadded || r.nextBoolean() ? padding[r.nextInt(3)] : b * (1 + r.nextInt(3));
            boolean blockedIn = readsPadded || ChannelBlocks.fits(ci) && r.nextBoolean();
            boolean blockedOut = !readsPadded || r.nextInt(3) > 0;
            int n = 1 + r.nextInt(3);
            ConvGeometry g = new ConvGeometry(ci, ih, iw, co, oh, ow, k, k, s, s, k / 2, k / 2, 1, 1, 1);
            assertTrue(!readsPadded || ChannelVectorConv.readsPadded(g), g.toString());
            Operands o = Operands.random(r, g, n);
            ChannelVectorConv conv = new ChannelVectorConv(g, o.w(), blockedIn, blockedOut);
            Epilogue e = new Epilogue(o.bias(), blocked(o.residual(), blockedOut, n, co, g.positions()), Activation.RELU6, 0, o.accumulate());
            float[] result = blocked(o.out(), blockedOut, n, co, g.positions());
            if (blockedOut) {
                for (int i = 0; i < result.length; i++) {
                    result[i] = lane(i, co, g.positions()) ? result[i] : Float.NaN; // the padding, summed onto or overwritten
                }
            }
            conv.run(TestWorkers.POOL, blocked(o.in(), blockedIn, n, ci, ih * iw), result, n, e, Oracle.random(r, conv.workspaceSize()));
            float[] nchw = result;
            if (blockedOut) {
                nchw = new float[n * g.outputSize()];
                ChannelBlocks.toNchw(result, nchw, n, co, g.positions());
                for (int i = 0; i < result.length; i++) {
                    assertTrue(lane(i, co, g.positions()) || result[i] == 0, "trial " + trial + " " + g + ": padding float " + i + " is " + result[i]);
                }
            }
            Oracle.assertClose(o.expected(g, n, 6), nchw, Math.sqrt(g.k()) * 3 + 3,
                    "trial " + trial + " " + g + " blocked in " + blockedIn + ", out " + blockedOut);
            paddedIn += blockedIn && !ChannelBlocks.fits(ci) ? 1 : 0;
            paddedOut += blockedOut && !ChannelBlocks.fits(co) ? 1 : 0;
        }
        assertTrue(paddedIn >= 25 && paddedOut >= 35, paddedIn + " padded inputs, " + paddedOut + " padded outputs");
        assertTrue(!ChannelVectorConv.readsPadded(new ConvGeometry(24, 8, 8, 32, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1)), "a window reads whole blocks");
    }

    /** Whether float i of a blocked tensor of {@code channels} channels holds a channel, not its last block's padding. */
    private static boolean lane(int i, int channels, int positions) {
        int block = ChannelBlocks.BLOCK;
        int within = i % (ChannelBlocks.padded(channels) * positions);
        return within / (positions * block) * block + within % block < channels;
    }

    private static float[] blocked(float[] nchw, boolean blocked, int n, int channels, int positions) {
        if (!blocked) {
            return nchw;
        }
        return BlockedTensors.blocked(nchw, n, channels, positions);
    }

    @Test
    void blockedLayoutRoundTrips() {
        float[] nchw = Oracle.random(new Random(3), 2 * 32 * 5);
        float[] blocked = new float[nchw.length];
        float[] back = new float[nchw.length];
        ChannelBlocks.fromNchw(nchw, blocked, 2, 32, 5);
        ChannelBlocks.toNchw(blocked, back, 2, 32, 5);
        assertTrue(java.util.Arrays.equals(nchw, back));
        // channel BLOCK + 1 of position 2 in sample 1: block 1, pixel 2, lane 1
        int block = ChannelBlocks.BLOCK;
        assertTrue(blocked[160 + (5 + 2) * block + 1] == nchw[160 + (block + 1) * 5 + 2]);
    }

    @Test
    void takesWindowsAndSmallPointwiseMapsUngroupedWithCheapActivations() {
        ConvGeometry small = new ConvGeometry(64, 14, 14, 64, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        assertTrue(ChannelVectorConv.handles(small, Activation.RELU));
        assertTrue(!ChannelVectorConv.handles(small, Activation.GELU));
        assertTrue(ChannelVectorConv.handles(new ConvGeometry(64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1), Activation.NONE));
        assertTrue(ChannelVectorConv.handles(new ConvGeometry(64, 7, 7, 256, 7, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1), Activation.NONE));
        assertTrue(!ChannelVectorConv.handles(new ConvGeometry(64, 28, 28, 256, 28, 28, 1, 1, 1, 1, 0, 0, 1, 1, 1), Activation.NONE));
        assertTrue(!ChannelVectorConv.handles(new ConvGeometry(64, 14, 14, 64, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 2), Activation.NONE));
        assertTrue(!ChannelVectorConv.handles(new ConvGeometry(64, 14, 14, 16, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1), Activation.NONE));
        assertTrue(!ChannelVectorConv.handles(new ConvGeometry(3, 224, 224, 64, 112, 112, 7, 7, 2, 2, 3, 3, 1, 1, 1), Activation.RELU));
    }
}
