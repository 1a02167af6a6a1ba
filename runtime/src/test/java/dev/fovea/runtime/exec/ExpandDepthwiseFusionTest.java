package dev.fovea.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.weights.Init;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * An inverted residual block (1x1 expand, batch norm, ReLU6, 3x3 depthwise at stride 2, batch norm,
 * ReLU6, 1x1 project) on the fast path: its expand and depthwise layers run as one step, folded norms
 * and all, the projection inside it, and give the reference path's values; they stay apart when another
 * layer reads the expanded tensor too, or when the batch's expanded tensor is small and the expand reads
 * many channels; the projection stays apart when another layer reads the depthwise tensor. A projection
 * whose own array is the step's input writes through the depthwise tensor's array when that tensor is
 * large, and stays apart when it is not.
 */
class ExpandDepthwiseFusionTest {
    /** The expand's input channels: few, so it fuses at any batch. */
    private static final int C = 16;
    /** Input channels of an expand that fuses only when the batch's expanded tensor is large. */
    private static final int WIDE = 176;
    private static final int E = 96;
    private static final int H = 56;
    private static final int P = H * H;
    private static final int Q = P / 4;
    /** Enough samples for an expanded tensor of 8 MiB, the size from which the plan fuses a wide expand too. */
    private static final int BATCH = 8;
    /** Enough samples for a depthwise tensor of 8 MiB, the size from which a projection writes through its array. */
    private static final int STAGED_BATCH = 28;

    /** Buffers: 0 = stem (c), 1 = expanded (96), 2 = depthwise (96, 14x14), 3 = projected (32), 4 = side branch (32), 5 = sum. */
    private static int[] buffers(int c) {
        return new int[] {c * P, E * P, E * Q, 32 * Q, 32 * Q, 32 * Q};
    }

    private static List<TensorSpec> specs(int c) {
        List<TensorSpec> specs = new ArrayList<>();
        conv(specs, "stem", c, c, 1);
        conv(specs, "expand", E, c, 1);
        conv(specs, "depthwise", E, 1, 3);
        conv(specs, "project", 32, E, 1);
        conv(specs, "side", 32, E, 1);
        for (String norm : List.of("expand_bn", "depthwise_bn")) {
            specs.add(new TensorSpec(norm + ".weight", new int[] {E}, false, Init.fanIn(4)));
            specs.add(new TensorSpec(norm + ".bias", new int[] {E}, false, Init.fanIn(4)));
            specs.add(new TensorSpec(norm + ".running_mean", new int[] {E}, false, Init.fanIn(16)));
            specs.add(new TensorSpec(norm + ".running_var", new int[] {E}, false, Init.constant(1.5)));
        }
        return specs;
    }

    private static void conv(List<TensorSpec> specs, String name, int co, int ci, int k) {
        specs.add(new TensorSpec(name + ".weight", new int[] {co, ci, k, k}, false, Init.fanIn(ci * k * k)));
        specs.add(new TensorSpec(name + ".bias", new int[] {co}, false, Init.fanIn(ci * k * k)));
    }

    private static void block(PlanBuilder b) {
        block(b, C);
    }

    private static void wideBlock(PlanBuilder b) {
        block(b, WIDE);
    }

    private static void block(PlanBuilder b, int c) {
        block(b, c, 3);
    }

    /** The block, its projection written to buffer {@code out}. */
    private static void block(PlanBuilder b, int c, int out) {
        b.conv2d("stem", -1, 0, "stem.weight", "stem.bias", c, H, H, c, H, H, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.conv2d("block.expand", 0, 1, "expand.weight", null, c, H, H, E, H, H, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.batchNorm("block.expand_bn", 1, 1, "expand_bn", true, 1e-5, E, P);
        b.activation("block.expand_relu", 1, 1, Activation.RELU6, 0, E * P);
        b.conv2d("block.depthwise", 1, 2, "depthwise.weight", null, E, H, H, E, H / 2, H / 2, 3, 3, 2, 2, 1, 1, 1, 1, E);
        b.batchNorm("block.depthwise_bn", 2, 2, "depthwise_bn", true, 1e-5, E, Q);
        b.activation("block.depthwise_relu", 2, 2, Activation.RELU6, 0, E * Q);
        b.conv2d("block.project", 2, out, "project.weight", "project.bias", E, H / 2, H / 2, 32, H / 2, H / 2, 1, 1, 1, 1, 0, 0, 1, 1, 1);
    }

    /** The block, and a second reader of the expanded tensor whose result is added to the block's. */
    private static void blockWithSideBranch(PlanBuilder b) {
        block(b);
        b.conv2d("side", 1, 4, "side.weight", "side.bias", E, H, H, 32, H / 2, H / 2, 1, 1, 2, 2, 0, 0, 1, 1, 1);
        b.add("sum", 3, 4, 5, 32 * Q);
    }

    /** The block, and a second reader of the depthwise tensor whose result is added to the block's. */
    private static void blockWithDepthwiseReadTwice(PlanBuilder b) {
        block(b);
        b.conv2d("side", 2, 4, "side.weight", "side.bias", E, H / 2, H / 2, 32, H / 2, H / 2, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.add("sum", 3, 4, 5, 32 * Q);
    }

    private record Run(float[] out, List<String> steps, java.util.Map<String, String> kernels) {
    }

    private static Run run(PlanBuilder.Mode mode, Consumer<PlanBuilder> net, int output) {
        return run(mode, net, output, BATCH, C);
    }

    private static Run run(PlanBuilder.Mode mode, Consumer<PlanBuilder> net, int output, int batch, int c) {
        Parameters p = Parameters.initialized(specs(c), 5);
        PlanBuilder b = new PlanBuilder(p, batch, mode, c * P, buffers(c));
        net.accept(b);
        Random r = new Random(3);
        float[] x = new float[batch * c * P];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (InferenceSession s = b.build(output, Shape.of(c, H, H), Shape.of(32, H / 2, H / 2), 2)) {
            return new Run(s.run(x).clone(), s.stepNames(), s.kernels());
        }
    }

    @Test
    void expandAndDepthwiseRunAsOneStep() {
        Run fast = run(PlanBuilder.Mode.FAST, ExpandDepthwiseFusionTest::block, 3);
        assertEquals(List.of("stem", "block.expand+depthwise+project"), fast.steps());
        assertEquals("expand-depthwise-project blocked", fast.kernels().get("block.expand+depthwise+project"));
        assertClose(run(PlanBuilder.Mode.REFERENCE, ExpandDepthwiseFusionTest::block, 3), fast);
    }

    @Test
    void aSmallBatchFusesAnExpandOfFewChannels() {
        Run fast = run(PlanBuilder.Mode.FAST, ExpandDepthwiseFusionTest::block, 3, 1, C);
        assertEquals(List.of("stem", "block.expand+depthwise+project"), fast.steps());
        assertEquals("expand-depthwise-project blocked", fast.kernels().get("block.expand+depthwise+project"));
        assertClose(run(PlanBuilder.Mode.REFERENCE, ExpandDepthwiseFusionTest::block, 3, 1, C), fast);
    }

    @Test
    void aLargeBatchFusesAWideExpand() {
        Run fast = run(PlanBuilder.Mode.FAST, ExpandDepthwiseFusionTest::wideBlock, 3, BATCH, WIDE);
        assertEquals(List.of("stem", "block.expand+depthwise+project"), fast.steps());
        assertClose(run(PlanBuilder.Mode.REFERENCE, ExpandDepthwiseFusionTest::wideBlock, 3, BATCH, WIDE), fast);
    }

    @Test
    void aSmallBatchKeepsAWideExpandApart() {
        Run fast = run(PlanBuilder.Mode.FAST, ExpandDepthwiseFusionTest::wideBlock, 3, 1, WIDE);
        assertEquals(List.of("stem", "block.expand", "block.depthwise+project"), fast.steps());
        assertEquals("depthwise-project blocked", fast.kernels().get("block.depthwise+project"));
        assertClose(run(PlanBuilder.Mode.REFERENCE, ExpandDepthwiseFusionTest::wideBlock, 3, 1, WIDE), fast);
    }

    @Test
    void anExpandedTensorReadTwiceIsKept() {
        Run fast = run(PlanBuilder.Mode.FAST, ExpandDepthwiseFusionTest::blockWithSideBranch, 5);
        assertTrue(fast.steps().contains("block.expand") && fast.steps().contains("block.depthwise+project"), fast.steps().toString());
        assertClose(run(PlanBuilder.Mode.REFERENCE, ExpandDepthwiseFusionTest::blockWithSideBranch, 5), fast);
    }

    @Test
    void aDepthwiseTensorReadTwiceKeepsTheProjectionApart() {
        Run fast = run(PlanBuilder.Mode.FAST, ExpandDepthwiseFusionTest::blockWithDepthwiseReadTwice, 5);
        assertEquals("expand-depthwise blocked", fast.kernels().get("block.expand+depthwise"), fast.steps().toString());
        assertTrue(fast.steps().contains("block.project"), fast.steps().toString());
        assertClose(run(PlanBuilder.Mode.REFERENCE, ExpandDepthwiseFusionTest::blockWithDepthwiseReadTwice, 5), fast);
    }

    @Test
    void aProjectionWritingOverThePairsInputWritesThroughTheDepthwiseArray() {
        // a plan that alternates two arrays: later bands still read the rows the projection's own array holds
        Consumer<PlanBuilder> net = b -> block(b, C, 0);
        Run fast = run(PlanBuilder.Mode.FAST, net, 0, STAGED_BATCH, C);
        assertEquals(List.of("stem", "block.expand+depthwise+project"), fast.steps());
        assertCloseOutputs(run(PlanBuilder.Mode.REFERENCE, net, 0, STAGED_BATCH, C), fast, STAGED_BATCH);
    }

    @Test
    void aSmallDepthwiseTensorKeepsAProjectionOverThePairsInputApart() {
        Consumer<PlanBuilder> net = b -> block(b, C, 0);
        Run fast = run(PlanBuilder.Mode.FAST, net, 0);
        assertEquals(List.of("stem", "block.expand+depthwise", "block.project"), fast.steps());
        assertCloseOutputs(run(PlanBuilder.Mode.REFERENCE, net, 0), fast, BATCH);
    }

    @Test
    void aSmallDepthwiseTensorKeepsAProjectionOverTheDepthwiseInputApart() {
        Consumer<PlanBuilder> net = b -> block(b, WIDE, 1);
        Run fast = run(PlanBuilder.Mode.FAST, net, 1, 1, WIDE);
        assertEquals(List.of("stem", "block.expand", "block.depthwise", "block.project"), fast.steps());
        assertCloseOutputs(run(PlanBuilder.Mode.REFERENCE, net, 1, 1, WIDE), fast, 1);
    }

    /** The first {@code batch} outputs of the two runs, whose buffers hold other tensors' values after them. */
    private static void assertCloseOutputs(Run expected, Run actual, int batch) {
        int floats = batch * 32 * Q;
        assertClose(new Run(java.util.Arrays.copyOf(expected.out(), floats), expected.steps(), expected.kernels()),
                new Run(java.util.Arrays.copyOf(actual.out(), floats), actual.steps(), actual.kernels()));
    }

    private static void assertClose(Run expected, Run actual) {
        assertEquals(expected.out().length, actual.out().length);
        for (int i = 0; i < expected.out().length; i++) {
            double e = expected.out()[i];
            assertEquals(e, actual.out()[i], 1e-4 * Math.max(1, Math.abs(e)), "value " + i);
        }
    }
}
