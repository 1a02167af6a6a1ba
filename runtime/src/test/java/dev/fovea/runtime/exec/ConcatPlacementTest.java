package dev.fovea.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Concatenations whose branches write straight into their channels of the joined tensor, on the fast
 * path, against the reference path's copies: NCHW and blocked, batches of several samples (so that
 * each branch's slice has the joined tensor's sample stride), branches that cannot be placed, and
 * concatenations that vanish from the plan.
 */
class ConcatPlacementTest {
    private static final int C = 32;
    private static final int H = 14;
    private static final int W = 14;
    private static final int P = H * W;
    private static final int BATCH = 3;

    /** Buffers: 0 = 1x1 branch (32), 1 = 3x3 branch (48), 2 = max pool branch (32), 3 = joined, 4 = 1x1 after it (32). */
    private static final int[] BUFFERS = {32 * P, 48 * P, 32 * P, 112 * P, 32 * P};

    private static List<TensorSpec> specs() {
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(new TensorSpec("b0.weight", new int[] {32, C, 1, 1}, false, Init.fanIn(C)));
        specs.add(new TensorSpec("b0.bias", new int[] {32}, false, Init.fanIn(C)));
        specs.add(new TensorSpec("b1.weight", new int[] {48, C, 3, 3}, false, Init.fanIn(C * 9)));
        specs.add(new TensorSpec("b1.bias", new int[] {48}, false, Init.fanIn(C * 9)));
        specs.add(new TensorSpec("after.weight", new int[] {32, 112, 1, 1}, false, Init.fanIn(112)));
        specs.add(new TensorSpec("after.bias", new int[] {32}, false, Init.fanIn(112)));
        return specs;
    }

    private static void branches(PlanBuilder b) {
        b.conv2d("b0", -1, 0, "b0.weight", "b0.bias", C, H, W, 32, H, W, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.activation("b0.relu", 0, 0, Activation.RELU, 0, 32 * P);
        b.conv2d("b1", -1, 1, "b1.weight", "b1.bias", C, H, W, 48, H, W, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        b.pool2d("b2", true, -1, 2, C, H, W, H, W, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false);
    }

    private record Run(float[] out, List<String> steps) {
    }

    private static Run run(PlanBuilder.Mode mode, Consumer<PlanBuilder> net, int output, int outChannels, float[] input) {
        Parameters p = Parameters.initialized(specs(), 7);
        PlanBuilder b = new PlanBuilder(p, BATCH, mode, C * P, BUFFERS);
        net.accept(b);
        try (InferenceSession s = b.build(output, Shape.of(C, H, W), Shape.of(outChannels, H, W), 2)) {
            return new Run(s.run(input).clone(), s.stepNames());
        }
    }

    private static float[] input() {
        Random r = new Random(11);
        float[] x = new float[BATCH * C * P];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static void assertSame(Run expected, Run actual) {
        assertEquals(expected.out().length, actual.out().length);
        for (int i = 0; i < expected.out().length; i++) {
            double e = expected.out()[i];
            assertEquals(e, actual.out()[i], 1e-4 * Math.max(1, Math.abs(e)), "value " + i);
        }
    }

    /** The fast run of {@code net}, once it matches the reference run. */
    private static Run fastMatchingReference(Consumer<PlanBuilder> net, int output, int outChannels) {
        float[] x = input();
        Run fast = run(PlanBuilder.Mode.FAST, net, output, outChannels, x);
        assertSame(run(PlanBuilder.Mode.REFERENCE, net, output, outChannels, x), fast);
        return fast;
    }

    @Test
    void branchesWrittenIntoAnNchwResultMatchTheCopies() {
        // The joined tensor is the network's result, so it and every branch stay NCHW.
        Consumer<PlanBuilder> net = b -> {
            branches(b);
            b.concat("joined", new int[] {0, 1, 2}, new int[] {32, 48, 32}, 3, P);
        };
        Run fast = fastMatchingReference(net, 3, 112);
        // The pooled branch is not a convolution, so the concatenation still copies it.
        assertTrue(fast.steps().contains("joined"), fast.steps().toString());
    }

    @Test
    void blockedBranchesWrittenIntoTheirSlicesMatchTheCopies() {
        // A 1x1 convolution reads the joined tensor, so the concatenation and its branches run blocked.
        Consumer<PlanBuilder> net = b -> {
            branches(b);
            b.concat("joined", new int[] {0, 1, 2}, new int[] {32, 48, 32}, 3, P);
            b.conv2d("after", 3, 4, "after.weight", "after.bias", 112, H, W, 32, H, W, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        };
        fastMatchingReference(net, 4, 32);
    }

    @Test
    void aConcatenationOfConvolutionsOnlyLeavesThePlan() {
        Consumer<PlanBuilder> net = b -> {
            branches(b);
            b.concat("joined", new int[] {1, 0}, new int[] {48, 32}, 3, P);
        };
        Run fast = fastMatchingReference(net, 3, 80);
        assertFalse(fast.steps().contains("joined"), fast.steps().toString());
    }

    @Test
    void aBranchWithAnotherReaderIsCopiedAndStillCorrect() {
        // Branch 0 is joined twice, so it has two readers and keeps its own buffer; branch 1 is placed.
        Consumer<PlanBuilder> net = b -> {
            branches(b);
            b.concat("joined", new int[] {0, 1, 0}, new int[] {32, 48, 32}, 3, P);
            b.conv2d("after", 3, 4, "after.weight", "after.bias", 112, H, W, 32, H, W, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        };
        Run fast = fastMatchingReference(net, 4, 32);
        assertTrue(fast.steps().contains("joined"), fast.steps().toString());
    }
}
