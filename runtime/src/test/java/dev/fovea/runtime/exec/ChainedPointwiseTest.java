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
import org.junit.jupiter.api.Test;

/**
 * Two bottlenecks in a row: the first one's last 1x1 layer, whose sum goes over the shortcut (or which runs
 * with the first block's projection shortcut), and the second one's first 1x1 layer, which reads that sum,
 * run as one step ({@link ChainedPointwiseStep}) where the tensor between them is 8 MiB or more, and apart
 * below that. The values are the reference path's.
 */
class ChainedPointwiseTest {
    private static final int H = 28;
    private static final int P = H * H;
    private static final int IN = 16;
    private static final int C = 128;
    /** The stem's channels when the first block's shortcut is a projection. */
    private static final int NARROW = 64;
    private static final int MID = 32;
    /** Samples from which the sum between the blocks (C x 28 x 28 floats a sample) reaches 8 MiB. */
    private static final int LARGE_BATCH = 21;

    private static List<TensorSpec> specs(boolean projected) {
        int stem = projected ? NARROW : C;
        List<TensorSpec> specs = new ArrayList<>();
        conv(specs, "stem", IN, stem, 1);
        conv(specs, "first.reduce", stem, MID, 1);
        for (String block : List.of("first", "second")) {
            if (block.equals("second")) {
                conv(specs, block + ".reduce", C, MID, 1);
            }
            conv(specs, block + ".middle", MID, MID, 3);
            conv(specs, block + ".expand", MID, C, 1);
        }
        conv(specs, "head", C, IN, 1);
        if (projected) {
            specs.add(new TensorSpec("first.down.0.weight", new int[] {C, stem, 1, 1}, false, Init.fanIn(stem)));
            specs.add(new TensorSpec("first.down.1.weight", new int[] {C}, false, Init.fanIn(4)));
            specs.add(new TensorSpec("first.down.1.bias", new int[] {C}, false, Init.fanIn(4)));
            specs.add(new TensorSpec("first.down.1.running_mean", new int[] {C}, false, Init.fanIn(16)));
            specs.add(new TensorSpec("first.down.1.running_var", new int[] {C}, false, Init.constant(1.5)));
        }
        return specs;
    }

    private static void conv(List<TensorSpec> specs, String name, int ci, int co, int k) {
        specs.add(new TensorSpec(name + ".weight", new int[] {co, ci, k, k}, false, Init.fanIn(ci * k * k)));
        specs.add(new TensorSpec(name + ".bias", new int[] {co}, false, Init.fanIn(ci * k * k)));
    }

    private static void conv(PlanBuilder b, String name, int in, int out, int ci, int co, int k) {
        b.conv2d(name, in, out, name + ".weight", name + ".bias", ci, H, H, co, H, H, k, k, 1, 1, k / 2, k / 2, 1, 1, 1);
    }

    /**
     * Buffers: 0 = the stem's output, 1 and 2 = a block's inner values, 3 = the first block's sum and the second's
     * over it, 4 = the second block's last value, 5 = the head's. The first block adds its last value over the
     * stem's (its shortcut), or adds the projection of the stem's onto it when {@code projected}.
     */
    private static float[] run(PlanBuilder.Mode mode, int batch, boolean projected, List<String> steps) {
        int stem = projected ? NARROW : C;
        PlanBuilder b = new PlanBuilder(Parameters.initialized(specs(projected), 7), batch, mode, IN * P, new int[] {C * P, MID * P, MID * P,
                C * P, C * P, IN * P});
        conv(b, "stem", -1, 0, IN, stem, 1);
        b.activation("stem_relu", 0, 0, Activation.RELU, 0, stem * P);
        bottleneck(b, "first", 0, stem, 3);
        if (projected) {
            b.addProjected("first.down", 3, 0, 3, "first.down", stem, H, H, C, H, H, 1);
        } else {
            b.add("first.sum", 3, 0, 3, C * P);
        }
        b.activation("first.sum_relu", 3, 3, Activation.RELU, 0, C * P);
        bottleneck(b, "second", 3, C, 4);
        b.add("second.sum", 4, 3, 3, C * P);
        b.activation("second.sum_relu", 3, 3, Activation.RELU, 0, C * P);
        conv(b, "head", 3, 5, C, IN, 1);
        Random r = new Random(19);
        float[] x = new float[batch * IN * P];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (InferenceSession s = b.build(5, Shape.of(IN, H, H), Shape.of(IN, H, H), 2)) {
            s.run(x);
            steps.addAll(s.stepNames());
            return s.run(x).clone();
        }
    }

    /** 1x1 from buffer {@code in} ({@code ci} channels), 3x3, 1x1 into buffer {@code out}. */
    private static void bottleneck(PlanBuilder b, String block, int in, int ci, int out) {
        conv(b, block + ".reduce", in, 1, ci, MID, 1);
        b.activation(block + ".reduce_relu", 1, 1, Activation.RELU, 0, MID * P);
        conv(b, block + ".middle", 1, 2, MID, MID, 3);
        b.activation(block + ".middle_relu", 2, 2, Activation.RELU, 0, MID * P);
        conv(b, block + ".expand", 2, out, MID, C, 1);
    }

    /** The fast path's step names at {@code batch}, its values checked against the reference path's. */
    private static List<String> checkedSteps(int batch, boolean projected) {
        float[] expected = run(PlanBuilder.Mode.REFERENCE, batch, projected, new ArrayList<>());
        List<String> steps = new ArrayList<>();
        float[] fast = run(PlanBuilder.Mode.FAST, batch, projected, steps);
        assertEquals(expected.length, fast.length);
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            assertEquals(e, fast[i], 1e-4 * Math.max(1, Math.abs(e)), "value " + i + " at batch " + batch);
        }
        return steps;
    }

    @Test
    void aLargeSumBetweenTwoBottlenecksIsReadFromTheCache() {
        List<String> steps = checkedSteps(LARGE_BATCH, false);
        assertTrue(steps.contains("first.expand+second.reduce"), steps.toString());
        assertFalse(steps.contains("second.reduce"), steps.toString());
    }

    @Test
    void aProjectedSumRunsChainedToo() {
        List<String> steps = checkedSteps(LARGE_BATCH, true);
        assertTrue(steps.contains("first.expand+down+second.reduce"), steps.toString());
    }

    @Test
    void aSmallSumKeepsTheLayersApart() {
        List<String> steps = checkedSteps(2, false);
        assertTrue(steps.contains("first.expand") && steps.contains("second.reduce"), steps.toString());
    }
}
