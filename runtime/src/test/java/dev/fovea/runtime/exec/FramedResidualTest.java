package dev.fovea.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.weights.Init;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A ResNet basic block on the fast path: its input is read by the first 3x3 convolution and added by the
 * second as its residual. Both read it inside the zero frame the first one's window needs, so that layer
 * runs as Winograd's too (with ReLU; with ReLU6, which Winograd's kernel does not take, both run on the
 * channel-vector kernel, the residual still framed). When the block's input is the sum a projection
 * shortcut made, the convolution and the projection that write it both write inside the frame. Where a
 * block's sum is the next block's input, read framed the same way, it goes over the block's own input,
 * in its frame. The values are the reference path's.
 */
class FramedResidualTest {
    private static final int C = 32;
    private static final int H = 14;
    private static final int P = H * H;
    private static final int BATCH = 2;
    /**
     * Buffers: 0 = stem (the block's input), 1 = first convolution, 2 = the block's output, 3 = the 1x1 layer after it (NCHW),
     * 4 = the network's input for the downsampling block (16 channels), 5 = its first convolution.
     */
    private static final int[] BUFFERS = {C * P, C * P, C * P, 16 * P, 16 * P, C * P};

    private static List<TensorSpec> specs() {
        List<TensorSpec> specs = new ArrayList<>();
        for (String[] conv : new String[][] {{"stem", "16", "1"}, {"conv1", "32", "3"}, {"conv2", "32", "3"}}) {
            int ci = Integer.parseInt(conv[1]);
            int k = Integer.parseInt(conv[2]);
            specs.add(new TensorSpec(conv[0] + ".weight", new int[] {C, ci, k, k}, false, Init.fanIn(ci * k * k)));
            specs.add(new TensorSpec(conv[0] + ".bias", new int[] {C}, false, Init.fanIn(ci * k * k)));
        }
        specs.add(new TensorSpec("head.weight", new int[] {16, C, 1, 1}, false, Init.fanIn(C)));
        specs.add(new TensorSpec("down.conv1.weight", new int[] {C, 16, 3, 3}, false, Init.fanIn(16 * 9)));
        specs.add(new TensorSpec("down.conv2.weight", new int[] {C, C, 3, 3}, false, Init.fanIn(C * 9)));
        specs.add(new TensorSpec("down.shortcut.0.weight", new int[] {C, 16, 1, 1}, false, Init.fanIn(16)));
        specs.add(new TensorSpec("down.shortcut.1.weight", new int[] {C}, false, Init.fanIn(4)));
        specs.add(new TensorSpec("down.shortcut.1.bias", new int[] {C}, false, Init.fanIn(4)));
        specs.add(new TensorSpec("down.shortcut.1.running_mean", new int[] {C}, false, Init.fanIn(16)));
        specs.add(new TensorSpec("down.shortcut.1.running_var", new int[] {C}, false, Init.constant(1.5)));
        return specs;
    }

    private static void block(PlanBuilder b, Activation a) {
        b.conv2d("stem", -1, 0, "stem.weight", "stem.bias", 16, H, H, C, H, H, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.activation("stem_relu", 0, 0, a, 0, C * P);
        basicBlock(b, a);
    }

    /** The basic block on buffer 0, then the 1x1 head. */
    private static void basicBlock(PlanBuilder b, Activation a) {
        basicBlock(b, a, "", 0, 2);
        b.conv2d("head", 2, 3, "head.weight", null, C, H, H, 16, H, H, 1, 1, 1, 1, 0, 0, 1, 1, 1);
    }

    /** A basic block from buffer {@code in} to buffer {@code out}, through buffer 1, its layers' names after {@code prefix}. */
    private static void basicBlock(PlanBuilder b, Activation a, String prefix, int in, int out) {
        b.conv2d(prefix + "conv1", in, 1, "conv1.weight", "conv1.bias", C, H, H, C, H, H, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        b.activation(prefix + "relu1", 1, 1, a, 0, C * P);
        b.conv2d(prefix + "conv2", 1, out, "conv2.weight", "conv2.bias", C, H, H, C, H, H, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        b.add(prefix + "sum", out, in, out, C * P);
        b.activation(prefix + "relu2", out, out, a, 0, C * P);
    }

    /**
     * Two basic blocks: the first one's sum is the second one's input, read framed by its first convolution and
     * added by its second, so the first block's second convolution writes it over its own residual, in the frame.
     */
    private static void twoBlocks(PlanBuilder b, Activation a) {
        b.conv2d("stem", -1, 0, "stem.weight", "stem.bias", 16, H, H, C, H, H, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.activation("stem_relu", 0, 0, a, 0, C * P);
        basicBlock(b, a, "first.", 0, 2);
        basicBlock(b, a, "", 2, 0);
        b.conv2d("head", 0, 3, "head.weight", null, C, H, H, 16, H, H, 1, 1, 1, 1, 0, 0, 1, 1, 1);
    }

    /**
     * A block whose shortcut is a projection (1x1 convolution and batch norm, added onto the second convolution's
     * output), then a basic block reading its output: both of that sum's writers write inside the frame.
     */
    private static void projectedThenBasic(PlanBuilder b, Activation a) {
        b.conv2d("down.conv1", -1, 5, "down.conv1.weight", null, 16, H, H, C, H, H, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        b.activation("down.relu1", 5, 5, a, 0, C * P);
        b.conv2d("down.conv2", 5, 0, "down.conv2.weight", null, C, H, H, C, H, H, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        b.addProjected("down.shortcut", 0, -1, 0, "down.shortcut", 16, H, H, C, H, H, 1);
        b.activation("down.relu2", 0, 0, a, 0, C * P);
        basicBlock(b, a);
    }

    private record Run(float[] out, Map<String, String> kernels, Map<String, Step> steps) {
    }

    private static Run run(PlanBuilder.Mode mode, Activation a) {
        return run(mode, a, FramedResidualTest::block);
    }

    private static Run run(PlanBuilder.Mode mode, Activation a, java.util.function.BiConsumer<PlanBuilder, Activation> net) {
        PlanBuilder b = new PlanBuilder(Parameters.initialized(specs(), 9), BATCH, mode, 16 * P, BUFFERS);
        net.accept(b, a);
        Random r = new Random(13);
        float[] x = new float[BATCH * 16 * P];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (InferenceSession s = b.build(3, Shape.of(16, H, H), Shape.of(16, H, H), 2)) {
            s.run(x);
            return new Run(s.run(x).clone(), s.kernels(), s.steps());
        }
    }

    @Test
    void theBlocksFirstConvolutionRunsWinogradOnTheInputTheResidualAlsoReads() {
        Run fast = run(PlanBuilder.Mode.FAST, Activation.RELU);
        assertEquals("winograd 2x2", fast.kernels().get("conv1"));
        assertEquals("winograd 2x2", fast.kernels().get("conv2"));
        assertClose(run(PlanBuilder.Mode.REFERENCE, Activation.RELU), fast);
    }

    @Test
    void theChannelVectorKernelReadsAFramedResidual() {
        Run fast = run(PlanBuilder.Mode.FAST, Activation.RELU6);
        assertEquals("channel-vector blocked", fast.kernels().get("conv2"));
        assertClose(run(PlanBuilder.Mode.REFERENCE, Activation.RELU6), fast);
    }

    @Test
    void aSumWithAProjectedShortcutIsWrittenInsideTheFrame() {
        Run fast = run(PlanBuilder.Mode.FAST, Activation.RELU, FramedResidualTest::projectedThenBasic);
        assertEquals("winograd 2x2", fast.kernels().get("conv1"));
        assertClose(run(PlanBuilder.Mode.REFERENCE, Activation.RELU, FramedResidualTest::projectedThenBasic), fast);
    }

    /**
     * The first block's middle tensor lives from its first convolution to its second, the basic block's from
     * its own first to second: one frame, lives apart, so they share an array. The sum between them lives
     * across both and has its own.
     */
    @Test
    void framedTensorsWhoseLivesDoNotOverlapShareAnArray() {
        Run fast = run(PlanBuilder.Mode.FAST, Activation.RELU, FramedResidualTest::projectedThenBasic);
        float[] first = ((LinearStep) fast.steps().get("down.conv2")).in();
        float[] later = ((LinearStep) fast.steps().get("conv2")).in();
        float[] sum = ((LinearStep) fast.steps().get("conv1")).in();
        assertSame(first, later, "the two blocks' middle tensors");
        assertNotSame(sum, later, "the sum, read by the second block's both convolutions");
        assertClose(run(PlanBuilder.Mode.REFERENCE, Activation.RELU, FramedResidualTest::projectedThenBasic), fast);
    }

    @Test
    void aBlocksSumGoesOverItsFramedInputWhenTheNextBlockReadsItFramed() {
        for (Activation a : new Activation[] {Activation.RELU, Activation.RELU6}) {
            Run fast = run(PlanBuilder.Mode.FAST, a, FramedResidualTest::twoBlocks);
            LinearStep writer = (LinearStep) fast.steps().get("first.conv2");
            assertSame(writer.residual(), writer.writes(), "the first block's sum over its input (" + a + ")");
            assertSame(writer.writes(), ((LinearStep) fast.steps().get("conv1")).in(), "the second block's input (" + a + ")");
            assertClose(run(PlanBuilder.Mode.REFERENCE, a, FramedResidualTest::twoBlocks), fast);
        }
    }

    private static void assertClose(Run expected, Run actual) {
        assertEquals(expected.out().length, actual.out().length);
        for (int i = 0; i < expected.out().length; i++) {
            double e = expected.out()[i];
            assertEquals(e, actual.out()[i], 1e-4 * Math.max(1, Math.abs(e)), "value " + i);
        }
    }
}
