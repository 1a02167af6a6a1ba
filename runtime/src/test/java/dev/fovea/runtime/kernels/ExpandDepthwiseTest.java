package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.exec.Workers;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused expand and depthwise convolution, from blocked and NCHW inputs, against the float64 oracle
 * of the two layers, and against the two kernels it replaces, value for value.
 */
class ExpandDepthwiseTest {
    private static final int B = ChannelBlocks.BLOCK;
    private static final Activation[] ACTIVATIONS = {Activation.RELU6, Activation.RELU, Activation.NONE, Activation.LEAKY_RELU};

    /** One random pair of layers and its input. */
    private record Case(ConvGeometry expand, ConvGeometry depthwise, int n, float[] in, float[] expandWeight, float[] depthwiseWeight,
            Epilogue expandEpilogue, Epilogue depthwiseEpilogue, boolean blockedIn) {
        static Case random(Random r) {
            int k = 1 + 2 * r.nextInt(3); // 1, 3 or 5
            int s = 1 + r.nextInt(2);
            int p = r.nextInt(k / 2 + 1);
            boolean blockedIn = r.nextBoolean();
            // a blocked input of a block and a half, padded (MobileNet v2's 24 channels), on rows the unfused 1x1 kernel reads padded
            boolean padded = blockedIn && r.nextInt(3) == 0;
            int h = 1 + r.nextInt(30);
            int w = padded ? 7 * (1 + r.nextInt(3)) : 1 + r.nextInt(30);
            if (h + 2 * p < k || w + 2 * p < k) {
                h = k;
                w = padded ? 7 : k;
            }
            int oh = (h + 2 * p - k) / s + 1;
            int ow = (w + 2 * p - k) / s + 1;
            // blocked: up to 16 blocks at times (MobileNet v1's 256-channel 1x1 layers before a depthwise one); NCHW: any count
            int ci = padded ? B + B / 2 : blockedIn ? B * (1 + r.nextInt(r.nextInt(4) == 0 ? 16 : 3)) : 1 + r.nextInt(3 * B);
            int ce = B * (1 + r.nextInt(8)); // 1 to 8 blocks: tiles of three or four and the blocks after them
            int n = 1 + r.nextInt(3);
            ConvGeometry expand = new ConvGeometry(ci, h, w, ce, h, w, 1, 1, 1, 1, 0, 0, 1, 1, 1);
            ConvGeometry depthwise = new ConvGeometry(ce, h, w, ce, oh, ow, k, k, s, s, p, p, 1, 1, ce);
            Epilogue e1 = new Epilogue(r.nextBoolean() ? Oracle.random(r, ce) : null, null, ACTIVATIONS[r.nextInt(4)], 0.1f, false);
            Epilogue e2 = new Epilogue(r.nextBoolean() ? Oracle.random(r, ce) : null, null, ACTIVATIONS[r.nextInt(4)], 0.2f, false);
            return new Case(expand, depthwise, n, Oracle.random(r, n * expand.inputSize()), Oracle.random(r, ce * ci),
                    Oracle.random(r, ce * k * k), e1, e2, blockedIn);
        }

        float[] fused(Workers workers) {
            ExpandDepthwise kernel = new ExpandDepthwise(expand, expandWeight, expandEpilogue, depthwise, depthwiseWeight, depthwiseEpilogue,
                    blockedIn);
            float[] out = new float[n * depthwise.outputSize()];
            kernel.run(workers, input(), out, n);
            return out;
        }

        /** The two blocked kernels the fused one replaces, one after the other. */
        float[] unfused() {
            float[] expanded = new float[n * expand.outputSize()];
            ChannelVectorConv first = new ChannelVectorConv(expand, expandWeight, blockedIn, true);
            first.run(TestWorkers.POOL, input(), expanded, n, expandEpilogue, new float[first.workspaceSize()]);
            float[] out = new float[n * depthwise.outputSize()];
            new BlockedDepthwise(depthwise, depthwiseWeight).run(TestWorkers.POOL, expanded, out, n, depthwiseEpilogue, new float[0]);
            return out;
        }

        /** The input as the kernels read it: blocked, or NCHW as it is. */
        float[] input() {
            return blockedIn ? BlockedTensors.blocked(in, n, expand.ci(), expand.positions()) : in;
        }

        String describe() {
            return n + " x " + expand + " then " + depthwise + ", " + expandEpilogue.activation() + ", " + depthwiseEpilogue.activation()
                    + (blockedIn ? ", blocked" : ", NCHW");
        }
    }

    @Test
    void randomPairsMatchTheOracle() {
        Random r = new Random(83);
        int padded = 0;
        for (int trial = 0; trial < 60; trial++) {
            Case c = Case.random(r);
            padded += c.blockedIn && !ChannelBlocks.fits(c.expand.ci()) ? 1 : 0;
            float[] result = new float[c.n * c.depthwise.outputSize()];
            ChannelBlocks.toNchw(c.fused(TestWorkers.POOL), result, c.n, c.depthwise.co(), c.depthwise.positions());
            double[] expanded = Oracle.conv2d(c.in, c.expandWeight, c.expandEpilogue.bias(), c.n, c.expand);
            float[] middle = new float[expanded.length];
            for (int i = 0; i < expanded.length; i++) {
                middle[i] = (float) Oracle.activate(expanded[i], c.expandEpilogue);
            }
            double[] expected = Oracle.conv2d(middle, c.depthwiseWeight, c.depthwiseEpilogue.bias(), c.n, c.depthwise);
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Oracle.activate(expected[i], c.depthwiseEpilogue);
            }
            int k = c.depthwise.kh();
            Oracle.assertClose(expected, result, 3 * k * k * Math.sqrt(c.expand.ci()), "trial " + trial + ": " + c.describe());
        }
        assertTrue(padded >= 5, padded + " padded inputs");
    }

    @Test
    void givesTheUnfusedKernelsValuesOnAnyNumberOfThreads() {
        Random r = new Random(89);
        try (Workers one = new Workers(1); Workers three = new Workers(3)) {
            for (int trial = 0; trial < 30; trial++) {
                Case c = Case.random(r);
                float[] expected = c.unfused();
                assertArrayEquals(expected, c.fused(one), "one thread, trial " + trial + ": " + c.describe());
                assertArrayEquals(expected, c.fused(three), "three threads, trial " + trial + ": " + c.describe());
            }
        }
    }

    @Test
    void bandsCarryTheirSharedRowsOnTallMaps() {
        // 112 rows of 96 channels: bands of a few rows, each after the first reusing the rows above it
        Random r = new Random(97);
        ConvGeometry expand = new ConvGeometry(B, 112, 20, 6 * B, 112, 20, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        for (int s = 1; s <= 2; s++) {
            ConvGeometry depthwise = new ConvGeometry(6 * B, 112, 20, 6 * B, 112 / s, 20 / s, 3, 3, s, s, 1, 1, 1, 1, 6 * B);
            Case c = new Case(expand, depthwise, 1, Oracle.random(r, expand.inputSize()), Oracle.random(r, 6 * B * B),
                    Oracle.random(r, 6 * B * 9), Epilogue.of(null).withActivation(Activation.RELU6, 0), Epilogue.of(null), s == 1);
            assertArrayEquals(c.unfused(), c.fused(TestWorkers.POOL), "stride " + s);
        }
    }

    /** A pair and the 1x1 projection after it, run inside it a band at a time. */
    private record Projected(Case pair, ConvGeometry project, float[] weight, Epilogue epilogue, boolean blockedOut) {
        static Projected random(Random r) {
            int k = r.nextBoolean() ? 3 : 5;
            int s = 1 + r.nextInt(2);
            int ow = 7 * (1 + r.nextInt(3)); // whole pixel blocks to a row, as the projection reads bands
            int oh = 1 + r.nextInt(r.nextInt(3) == 0 ? 40 : 12);
            int h = oh * s;
            int w = ow * s;
            boolean blockedIn = r.nextBoolean();
            int ci = blockedIn ? B * (1 + r.nextInt(3)) : 1 + r.nextInt(2 * B);
            int ce = r.nextInt(4) == 0 ? B * (9 + r.nextInt(4)) : B * (1 + r.nextInt(6)); // over 8 blocks: the projection sums in two slices
            int[] outChannels = {B, B + B / 2, 2 * B, 3 * B, 5 * B};
            int co = outChannels[r.nextInt(outChannels.length)];
            boolean blockedOut = r.nextBoolean();
            int n = 1 + r.nextInt(3);
            ConvGeometry expand = new ConvGeometry(ci, h, w, ce, h, w, 1, 1, 1, 1, 0, 0, 1, 1, 1);
            ConvGeometry depthwise = new ConvGeometry(ce, h, w, ce, oh, ow, k, k, s, s, k / 2, k / 2, 1, 1, ce);
            ConvGeometry project = new ConvGeometry(ce, oh, ow, co, oh, ow, 1, 1, 1, 1, 0, 0, 1, 1, 1);
            Epilogue e1 = new Epilogue(Oracle.random(r, ce), null, ACTIVATIONS[r.nextInt(4)], 0.1f, false);
            Epilogue e2 = new Epilogue(r.nextBoolean() ? Oracle.random(r, ce) : null, null, Activation.RELU6, 0f, false);
            int outFloats = n * (blockedOut ? ChannelBlocks.sampleFloats(co, project.positions()) : project.outputSize());
            float[] residual = r.nextBoolean() && (!blockedOut || ChannelBlocks.fits(co)) ? Oracle.random(r, outFloats) : null;
            Epilogue e3 = new Epilogue(r.nextBoolean() ? Oracle.random(r, co) : null, residual, ACTIVATIONS[r.nextInt(3)], 0f, false);
            Case pair = new Case(expand, depthwise, n, Oracle.random(r, n * expand.inputSize()), Oracle.random(r, ce * ci),
                    Oracle.random(r, ce * k * k), e1, e2, blockedIn);
            return new Projected(pair, project, Oracle.random(r, co * ce), e3, blockedOut);
        }

        int outFloats() {
            return pair.n * (blockedOut ? ChannelBlocks.sampleFloats(project.co(), project.positions()) : project.outputSize());
        }

        float[] fused(Workers workers) {
            Case c = pair;
            ExpandDepthwise kernel = new ExpandDepthwise(c.expand, c.expandWeight, c.expandEpilogue, c.depthwise, c.depthwiseWeight,
                    c.depthwiseEpilogue, c.blockedIn);
            ChannelVectorConv projection = new ChannelVectorConv(project, weight, true, blockedOut);
            assertTrue(kernel.canProject(project, projection), describe());
            float[] out = new float[outFloats()];
            kernel.runProjected(workers, c.input(), projection, out, OutputSlice.whole(out.length / c.n), epilogue, c.n);
            return out;
        }

        /** The pair's kernel, then the projection's own run over the whole depthwise tensor. */
        float[] unfused() {
            float[] middle = pair.fused(TestWorkers.POOL);
            ChannelVectorConv projection = new ChannelVectorConv(project, weight, true, blockedOut);
            float[] out = new float[outFloats()];
            projection.run(TestWorkers.POOL, middle, out, pair.n, epilogue, new float[projection.workspaceSize()]);
            return out;
        }

        String describe() {
            return pair.describe() + ", then " + project + (blockedOut ? " blocked" : " NCHW") + ", " + epilogue.activation()
                    + (epilogue.residual() != null ? ", residual" : "");
        }
    }

    @Test
    void aProjectionInsideThePairGivesItsOwnKernelsValues() {
        Random r = new Random(101);
        int slices = 0;
        int tallBands = 0;
        try (Workers one = new Workers(1); Workers three = new Workers(3)) {
            for (int trial = 0; trial < 40; trial++) {
                Projected c = Projected.random(r);
                slices += c.project.ci() > ChannelVectorConv.SLICE_GROUPS * B ? 1 : 0;
                tallBands += c.project.oh() > 20 ? 1 : 0;
                float[] expected = c.unfused();
                assertArrayEquals(expected, c.fused(one), "one thread, trial " + trial + ": " + c.describe());
                assertArrayEquals(expected, c.fused(three), "three threads, trial " + trial + ": " + c.describe());
            }
        }
        assertTrue(slices >= 3 && tallBands >= 3, slices + " projections in two slices, " + tallBands + " maps of many bands");
    }

    @Test
    void aDepthwiseLayerAloneAndItsProjectionGiveTheirOwnKernelsValues() {
        Random r = new Random(103);
        try (Workers one = new Workers(1); Workers three = new Workers(3)) {
            for (int trial = 0; trial < 30; trial++) {
                int k = r.nextBoolean() ? 3 : 5;
                int s = 1 + r.nextInt(2);
                int ow = 7 * (1 + r.nextInt(3));
                int oh = 1 + r.nextInt(r.nextInt(3) == 0 ? 60 : 12);
                int c = B * (1 + r.nextInt(r.nextInt(3) == 0 ? 12 : 3));
                int co = r.nextBoolean() ? B : B * (1 + r.nextInt(4));
                int n = 1 + r.nextInt(3);
                ConvGeometry depthwise = new ConvGeometry(c, oh * s, ow * s, c, oh, ow, k, k, s, s, k / 2, k / 2, 1, 1, c);
                ConvGeometry project = new ConvGeometry(c, oh, ow, co, oh, ow, 1, 1, 1, 1, 0, 0, 1, 1, 1);
                Epilogue e1 = new Epilogue(r.nextBoolean() ? Oracle.random(r, c) : null, null, ACTIVATIONS[r.nextInt(4)], 0.2f, false);
                Epilogue e2 = new Epilogue(Oracle.random(r, co), null, Activation.NONE, 0f, false);
                float[] in = Oracle.random(r, n * depthwise.inputSize());
                BlockedDepthwise first = new BlockedDepthwise(depthwise, Oracle.random(r, c * k * k));
                ChannelVectorConv second = new ChannelVectorConv(project, Oracle.random(r, co * c), true, true);
                float[] middle = new float[n * depthwise.outputSize()];
                first.run(TestWorkers.POOL, in, middle, n, e1, new float[0]);
                float[] expected = new float[n * project.outputSize()];
                second.run(TestWorkers.POOL, middle, expected, n, e2, new float[0]);
                ExpandDepthwise fused = ExpandDepthwise.ofDepthwise(first, e1);
                assertTrue(fused.canProject(project, second));
                for (Workers workers : new Workers[] {one, three}) {
                    float[] out = new float[expected.length];
                    fused.runProjected(workers, in, second, out, OutputSlice.whole(project.outputSize()), e2, n);
                    assertArrayEquals(expected, out, workers.threads() + " threads, trial " + trial + ": " + depthwise + " then " + project);
                }
            }
        }
    }

    @Test
    void projectsOnlyOneByOneLayersOnWholeRowsOfBlocks() {
        ConvGeometry expand = new ConvGeometry(B, 14, 14, 4 * B, 14, 14, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        ConvGeometry depthwise = new ConvGeometry(4 * B, 14, 14, 4 * B, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 4 * B);
        ExpandDepthwise pair = new ExpandDepthwise(expand, new float[4 * B * B], Epilogue.of(null), depthwise, new float[4 * B * 9],
                Epilogue.of(null), true);
        ConvGeometry project = new ConvGeometry(4 * B, 14, 14, B, 14, 14, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        assertTrue(pair.canProject(project, new ChannelVectorConv(project, new float[4 * B * B], true, true)));
        assertFalse(pair.canProject(project, new ChannelVectorConv(project, new float[4 * B * B], false, true)), "an NCHW input");
        ConvGeometry window = new ConvGeometry(4 * B, 14, 14, B, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        assertFalse(pair.canProject(window, new ChannelVectorConv(window, new float[4 * B * B * 9], true, true)), "a 3x3 window");
        ConvGeometry narrowExpand = new ConvGeometry(B, 10, 10, 4 * B, 10, 10, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        ConvGeometry narrowDepthwise = new ConvGeometry(4 * B, 10, 10, 4 * B, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 4 * B);
        ExpandDepthwise narrowPair = new ExpandDepthwise(narrowExpand, new float[4 * B * B], Epilogue.of(null), narrowDepthwise,
                new float[4 * B * 9], Epilogue.of(null), true);
        ConvGeometry narrow = new ConvGeometry(4 * B, 10, 10, B, 10, 10, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        assertFalse(narrowPair.canProject(narrow, new ChannelVectorConv(narrow, new float[4 * B * B], true, true)), "rows of 10 pixels");
    }

    @Test
    void takesBlockedPairsWithCheapActivations() {
        ConvGeometry expand = new ConvGeometry(B, 8, 8, 4 * B, 8, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        ConvGeometry depthwise = new ConvGeometry(4 * B, 8, 8, 4 * B, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 4 * B);
        assertTrue(ExpandDepthwise.handles(expand, Activation.RELU6, depthwise, Activation.RELU6));
        assertFalse(ExpandDepthwise.handles(expand, Activation.GELU, depthwise, Activation.RELU6));
        assertFalse(ExpandDepthwise.handles(expand, Activation.RELU6, depthwise, Activation.SILU));
        ConvGeometry strided = new ConvGeometry(B, 8, 8, 4 * B, 4, 4, 1, 1, 2, 2, 0, 0, 1, 1, 1);
        assertFalse(ExpandDepthwise.handles(strided, Activation.RELU6, depthwise, Activation.RELU6));
        ConvGeometry dilated = new ConvGeometry(4 * B, 8, 8, 4 * B, 4, 4, 3, 3, 2, 2, 2, 2, 2, 2, 4 * B);
        assertFalse(ExpandDepthwise.handles(expand, Activation.RELU6, dilated, Activation.RELU6));
        int part = B + B / 2;
        ConvGeometry raggedIn = new ConvGeometry(part, 8, 8, 4 * B, 8, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        assertTrue(ExpandDepthwise.handles(raggedIn, Activation.RELU6, depthwise, Activation.RELU6), "an NCHW input of any width");
        ConvGeometry raggedOut = new ConvGeometry(B, 8, 8, part, 8, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        ConvGeometry raggedDepthwise = new ConvGeometry(part, 8, 8, part, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, part);
        assertFalse(ExpandDepthwise.handles(raggedOut, Activation.RELU6, raggedDepthwise, Activation.RELU6));
    }
}
