package dev.fovea.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * Two framed tensors of different frames whose lives do not overlap: a 1x1 layer's output on 14x14
 * maps, read by a 3x3 layer, and after a pool another's on 7x7 maps, read by another 3x3 layer. They
 * share one array, whose border the second writer zeroes each pass before it writes: there the
 * first tensor's inside lies. The values are the reference path's, on two passes.
 */
class FramedArraysTest {
    private static final int C = 32;
    private static final int H = 14;
    private static final int BATCH = 2;
    /** Buffers: 0 = a, 1 = b, 2 = pool, 3 = d, 4 = e (7 x 7), 5 = head (16 channels, the output, NCHW). */
    private static final int[] BUFFERS = {C * H * H, C * H * H, C * 49, C * 49, C * 49, 16 * 49};

    private static List<TensorSpec> specs() {
        List<TensorSpec> specs = new ArrayList<>();
        for (String[] conv : new String[][] {{"a", "16", "1"}, {"b", "32", "3"}, {"d", "32", "1"}, {"e", "32", "3"}}) {
            int ci = Integer.parseInt(conv[1]);
            int k = Integer.parseInt(conv[2]);
            specs.add(new TensorSpec(conv[0] + ".weight", new int[] {C, ci, k, k}, false, Init.fanIn(ci * k * k)));
            specs.add(new TensorSpec(conv[0] + ".bias", new int[] {C}, false, Init.fanIn(ci * k * k)));
        }
        specs.add(new TensorSpec("head.weight", new int[] {16, C, 1, 1}, false, Init.fanIn(C)));
        return specs;
    }

    private static void net(PlanBuilder b) {
        b.conv2d("a", -1, 0, "a.weight", "a.bias", 16, H, H, C, H, H, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.activation("relu_a", 0, 0, Activation.RELU, 0, C * H * H);
        b.conv2d("b", 0, 1, "b.weight", "b.bias", C, H, H, C, H, H, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        b.activation("relu_b", 1, 1, Activation.RELU, 0, C * H * H);
        b.pool2d("pool", true, 1, 2, C, H, H, 7, 7, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, false);
        b.conv2d("d", 2, 3, "d.weight", "d.bias", C, 7, 7, C, 7, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.activation("relu_d", 3, 3, Activation.RELU, 0, C * 49);
        b.conv2d("e", 3, 4, "e.weight", "e.bias", C, 7, 7, C, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        b.activation("relu_e", 4, 4, Activation.RELU, 0, C * 49);
        b.conv2d("head", 4, 5, "head.weight", null, C, 7, 7, 16, 7, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1);
    }

    private record Run(float[] out, Map<String, Step> steps) {
    }

    private static Run run(PlanBuilder.Mode mode) {
        PlanBuilder b = new PlanBuilder(Parameters.initialized(specs(), 3), BATCH, mode, 16 * H * H, BUFFERS);
        net(b);
        Random r = new Random(13);
        float[] x = new float[BATCH * 16 * H * H];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (InferenceSession s = b.build(5, Shape.of(16, H, H), Shape.of(16, 7, 7), 2)) {
            s.run(x);
            return new Run(s.run(x).clone(), s.steps());
        }
    }

    @Test
    void framedTensorsOfDifferentFramesShareAnArrayAndTheLaterWriterClearsItsBorder() {
        Run fast = run(PlanBuilder.Mode.FAST);
        float[] first = ((LinearStep) fast.steps().get("b")).in();
        float[] later = ((LinearStep) fast.steps().get("e")).in();
        assertSame(first, later, "a's and d's outputs, framed for b and e");
        assertNotEquals(BUFFERS[0] * BATCH, first.length, "a frame, not the plan's buffer");
        Run reference = run(PlanBuilder.Mode.REFERENCE);
        assertEquals(reference.out().length, fast.out().length);
        for (int i = 0; i < reference.out().length; i++) {
            double e = reference.out()[i];
            assertEquals(e, fast.out()[i], 1e-4 * Math.max(1, Math.abs(e)), "value " + i);
        }
    }
}
