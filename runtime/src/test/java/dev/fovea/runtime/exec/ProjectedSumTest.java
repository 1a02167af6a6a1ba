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
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A bottleneck whose shortcut is a projection (a 1x1 convolution of stride 1 or 2 and a batch norm):
 * the block's last 1x1 layer and the projection run as one step, each tile summing both reductions
 * before one epilogue, where both read their input in place (maps whose rows are whole pixel blocks: 14
 * and 7 pixels). On a map of 10 pixels a row, a 1x1 layer copies its input into padded blocks first, and
 * the projection adds onto the output in a step of its own. The values are the reference path's.
 */
class ProjectedSumTest {
    private static final int IN = 16;
    private static final int C = 64;
    private static final int MID = 32;
    private static final int BATCH = 2;

    private static List<TensorSpec> specs() {
        List<TensorSpec> specs = new ArrayList<>();
        conv(specs, "stem", IN, IN, 1);
        conv(specs, "reduce", IN, MID, 1);
        conv(specs, "middle", MID, MID, 3);
        conv(specs, "expand", MID, C, 1);
        conv(specs, "head", C, IN, 1);
        specs.add(new TensorSpec("down.0.weight", new int[] {C, IN, 1, 1}, false, Init.fanIn(IN)));
        specs.add(new TensorSpec("down.1.weight", new int[] {C}, false, Init.fanIn(4)));
        specs.add(new TensorSpec("down.1.bias", new int[] {C}, false, Init.fanIn(4)));
        specs.add(new TensorSpec("down.1.running_mean", new int[] {C}, false, Init.fanIn(16)));
        specs.add(new TensorSpec("down.1.running_var", new int[] {C}, false, Init.constant(1.5)));
        return specs;
    }

    private static void conv(List<TensorSpec> specs, String name, int ci, int co, int k) {
        specs.add(new TensorSpec(name + ".weight", new int[] {co, ci, k, k}, false, Init.fanIn(ci * k * k)));
        specs.add(new TensorSpec(name + ".bias", new int[] {co}, false, Init.fanIn(ci * k * k)));
    }

    private record Run(float[] out, Map<String, String> kernels, List<String> steps) {
    }

    /**
     * Buffers: 0 = the block's input (16 channels), 1 and 2 = the main path, 3 = the sum, 4 = the head's output.
     * The block reads an h x h map and writes (h - 1) / stride + 1.
     */
    private static Run run(PlanBuilder.Mode mode, int h, int stride) {
        int o = (h - 1) / stride + 1;
        int p = h * h;
        int q = o * o;
        PlanBuilder b = new PlanBuilder(Parameters.initialized(specs(), 3), BATCH, mode, IN * p, new int[] {IN * p, MID * p, MID * q,
                C * q, IN * q});
        b.conv2d("stem", -1, 0, "stem.weight", "stem.bias", IN, h, h, IN, h, h, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.activation("stem_relu", 0, 0, Activation.RELU, 0, IN * p);
        b.conv2d("reduce", 0, 1, "reduce.weight", "reduce.bias", IN, h, h, MID, h, h, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.activation("reduce_relu", 1, 1, Activation.RELU, 0, MID * p);
        b.conv2d("middle", 1, 2, "middle.weight", "middle.bias", MID, h, h, MID, o, o, 3, 3, stride, stride, 1, 1, 1, 1, 1);
        b.activation("middle_relu", 2, 2, Activation.RELU, 0, MID * q);
        b.conv2d("expand", 2, 3, "expand.weight", "expand.bias", MID, o, o, C, o, o, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.addProjected("down", 3, 0, 3, "down", IN, h, h, C, o, o, stride);
        b.activation("sum_relu", 3, 3, Activation.RELU, 0, C * q);
        b.conv2d("head", 3, 4, "head.weight", "head.bias", C, o, o, IN, o, o, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        Random r = new Random(11);
        float[] x = new float[BATCH * IN * p];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (InferenceSession s = b.build(4, Shape.of(IN, h, h), Shape.of(IN, o, o), 2)) {
            s.run(x);
            return new Run(s.run(x).clone(), s.kernels(), s.stepNames());
        }
    }

    private static Run checked(int h, int stride) {
        Run expected = run(PlanBuilder.Mode.REFERENCE, h, stride);
        Run fast = run(PlanBuilder.Mode.FAST, h, stride);
        assertEquals(expected.out().length, fast.out().length);
        for (int i = 0; i < expected.out().length; i++) {
            double e = expected.out()[i];
            assertEquals(e, fast.out()[i], 1e-4 * Math.max(1, Math.abs(e)), "value " + i);
        }
        return fast;
    }

    @Test
    void aProjectionAtStrideOneRunsInsideTheLastLayer() {
        Run fast = checked(14, 1);
        assertTrue(fast.steps().contains("expand+down"), fast.steps().toString());
        assertEquals("channel-vector blocked", fast.kernels().get("expand+down"));
    }

    @Test
    void aProjectionAtStrideTwoRunsInsideTheLastLayer() {
        assertTrue(checked(14, 2).steps().contains("expand+down"));
    }

    @Test
    void layersThatCopyTheirInputKeepTheProjectionApart() {
        Run fast = checked(10, 1);
        assertTrue(fast.steps().contains("expand") && fast.steps().contains("down"), fast.steps().toString());
    }
}
