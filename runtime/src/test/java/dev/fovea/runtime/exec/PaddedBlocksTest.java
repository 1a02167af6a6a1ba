package dev.fovea.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.ChannelBlocks;
import dev.fovea.runtime.weights.Init;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * MobileNet v2's narrow tensors on the fast path: a projection to a block and a half of channels (24
 * with 16-float vectors), a block that adds a second such projection to it, and the expand that reads
 * the sum. With room in their buffers the narrow tensors travel blocked, their last block padded with
 * zeros; without it, in NCHW. Either way, fused (the projections inside their blocks' fused steps, and
 * the expands too at a large batch) or not, the values are the reference path's.
 */
class PaddedBlocksTest {
    private static final int C = 16;
    private static final int NARROW = ChannelBlocks.BLOCK + ChannelBlocks.BLOCK / 2;
    private static final int E = 96;
    private static final int H = 56;
    private static final int P = H * H;
    private static final int Q = P / 4;
    /** Enough samples for the expands to fuse with their depthwise layers. */
    private static final int BATCH = 8;

    private static List<TensorSpec> specs() {
        List<TensorSpec> specs = new ArrayList<>();
        conv(specs, "stem", 32, C, 1);
        conv(specs, "a.project", NARROW, 32, 1);
        conv(specs, "b.expand", E, NARROW, 1);
        conv(specs, "b.depthwise", E, 1, 3);
        conv(specs, "b.project", NARROW, E, 1);
        conv(specs, "c.expand", E, NARROW, 1);
        conv(specs, "c.depthwise", E, 1, 3);
        conv(specs, "c.project", 32, E, 1);
        return specs;
    }

    private static void conv(List<TensorSpec> specs, String name, int co, int ci, int k) {
        specs.add(new TensorSpec(name + ".weight", new int[] {co, ci, k, k}, false, Init.fanIn(ci * k * k)));
        specs.add(new TensorSpec(name + ".bias", new int[] {co}, false, Init.fanIn(ci * k * k)));
    }

    /** Buffers: 0 stem, 1 a's projection, 2 expanded, 3 depthwise, 4 b's projection and sum, 5 output; narrow ones of {@code narrow} floats a pixel. */
    private static int[] buffers(int narrow) {
        return new int[] {32 * P, narrow * P, E * P, E * P, narrow * P, 32 * Q};
    }

    private static void network(PlanBuilder b) {
        b.conv2d("stem", -1, 0, "stem.weight", "stem.bias", C, H, H, 32, H, H, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.activation("stem.relu", 0, 0, Activation.RELU6, 0, 32 * P);
        b.conv2d("a.project", 0, 1, "a.project.weight", "a.project.bias", 32, H, H, NARROW, H, H, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        block(b, "b", 1, 4, 1);
        b.add("b.sum", 4, 1, 4, NARROW * P);
        block(b, "c", 4, 5, 2);
    }

    private static void block(PlanBuilder b, String name, int in, int out, int stride) {
        int co = out == 5 ? 32 : NARROW;
        int h = H / stride;
        b.conv2d(name + ".expand", in, 2, name + ".expand.weight", name + ".expand.bias", NARROW, H, H, E, H, H, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.activation(name + ".expand_relu", 2, 2, Activation.RELU6, 0, E * P);
        b.conv2d(name + ".depthwise", 2, 3, name + ".depthwise.weight", name + ".depthwise.bias", E, H, H, E, h, h, 3, 3, stride, stride, 1, 1,
                1, 1, E);
        b.activation(name + ".depthwise_relu", 3, 3, Activation.RELU6, 0, E * h * h);
        b.conv2d(name + ".project", 3, out, name + ".project.weight", name + ".project.bias", E, h, h, co, h, h, 1, 1, 1, 1, 0, 0, 1, 1, 1);
    }

    private static float[] run(PlanBuilder.Mode mode, int narrow, int batch, List<String> padded) {
        Parameters p = Parameters.initialized(specs(), 11);
        PlanBuilder b = new PlanBuilder(p, batch, mode, C * P, buffers(narrow));
        network(b);
        Random r = new Random(13);
        float[] x = new float[batch * C * P];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (InferenceSession s = b.build(5, Shape.of(C, H, H), Shape.of(32, H / 2, H / 2), 2)) {
            if (batch == BATCH && mode == PlanBuilder.Mode.FAST) {
                assertTrue(s.stepNames().containsAll(List.of("b.expand+depthwise+project", "c.expand+depthwise+project")),
                        s.stepNames().toString());
            }
            s.steps().forEach((name, step) -> {
                LinearStep l = step instanceof ExpandDepthwiseStep pair ? pair.projection() : step instanceof LinearStep one ? one : null;
                if (l != null && l.writesPadded()) {
                    padded.add(l.name());
                }
            });
            return s.run(x).clone();
        }
    }

    @Test
    void narrowTensorsTravelInPaddedBlocks() {
        for (int batch : new int[] {1, BATCH}) {
            List<String> padded = new ArrayList<>();
            float[] fast = run(PlanBuilder.Mode.FAST, 32, batch, padded);
            assertEquals(List.of("a.project", "b.project"), padded, "batch " + batch);
            assertClose(run(PlanBuilder.Mode.REFERENCE, 32, batch, new ArrayList<>()), fast);
        }
    }

    @Test
    void withoutRoomForTheirZerosTheyStayNchw() {
        List<String> padded = new ArrayList<>();
        float[] fast = run(PlanBuilder.Mode.FAST, NARROW, BATCH, padded);
        assertTrue(padded.isEmpty(), padded.toString());
        assertClose(run(PlanBuilder.Mode.REFERENCE, NARROW, BATCH, new ArrayList<>()), fast);
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            assertEquals(e, actual[i], 1e-4 * Math.max(1, Math.abs(e)), "value " + i);
        }
    }
}
