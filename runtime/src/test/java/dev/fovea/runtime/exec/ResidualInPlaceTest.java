package dev.fovea.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import java.util.Set;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * A residual addition the compiler's plan writes over its shortcut (the shortcut's last reader, added to
 * a value only it reads): the layer that makes that value adds the shortcut inside its epilogue and
 * writes the sum into the shortcut's own array, on every kernel that reads a position's residual only
 * as it writes that position. Where that layer reads the shortcut as its input too, or is depthwise
 * (whose kernels write their sums before they add the residual), the addition runs as its own
 * element-wise step. The values are the reference path's, which adds apart.
 */
class ResidualInPlaceTest {
    private static final int H = 14;
    private static final int P = H * H;
    private static final int IN = 16;
    private static final int BATCH = 2;

    /** Buffers, each for c channels: 0 = the shortcut (and the sum), 1 and 2 = the main path, 3 = its last value, 4 = the head's. */
    private static int[] buffers(int c) {
        return new int[] {c * P, c * P, c * P, c * P, IN * P};
    }

    private static List<TensorSpec> specs(int c) {
        List<TensorSpec> specs = new ArrayList<>();
        conv(specs, "stem", IN, c, 1, 1);
        conv(specs, "reduce", c, c / 2, 1, 1);
        conv(specs, "middle", c / 2, c / 2, 3, 1);
        conv(specs, "expand", c / 2, c, 1, 1);
        conv(specs, "wide", c, c, 3, 1);
        conv(specs, "own", c, c, 1, 1);
        conv(specs, "depthwise", c, c, 3, c);
        conv(specs, "head", c, IN, 1, 1);
        return specs;
    }

    private static void conv(List<TensorSpec> specs, String name, int ci, int co, int k, int groups) {
        int fanIn = ci / groups * k * k;
        specs.add(new TensorSpec(name + ".weight", new int[] {co, ci / groups, k, k}, false, Init.fanIn(fanIn)));
        specs.add(new TensorSpec(name + ".bias", new int[] {co}, false, Init.fanIn(fanIn)));
    }

    private static void conv(PlanBuilder b, String name, int in, int out, int ci, int co, int k, int groups) {
        b.conv2d(name, in, out, name + ".weight", name + ".bias", ci, H, H, co, H, H, k, k, 1, 1, k / 2, k / 2, 1, 1, groups);
    }

    /** The stem into buffer 0, {@code block} on it, then ReLU over the sum and the 1x1 head into buffer 4 (NCHW). */
    private static BiConsumer<PlanBuilder, Integer> network(BiConsumer<PlanBuilder, Integer> block) {
        return (b, c) -> {
            conv(b, "stem", -1, 0, IN, c, 1, 1);
            b.activation("stem_relu", 0, 0, Activation.RELU, 0, c * P);
            block.accept(b, c);
            b.activation("sum_relu", 0, 0, Activation.RELU, 0, c * P);
            conv(b, "head", 0, 4, c, IN, 1, 1);
        };
    }

    /** A bottleneck: 1x1, 3x3, 1x1, its last layer's value (buffer 3) added over the shortcut (buffer 0). */
    private static void bottleneck(PlanBuilder b, int c) {
        conv(b, "reduce", 0, 1, c, c / 2, 1, 1);
        b.activation("reduce_relu", 1, 1, Activation.RELU, 0, c / 2 * P);
        conv(b, "middle", 1, 2, c / 2, c / 2, 3, 1);
        b.activation("middle_relu", 2, 2, Activation.RELU, 0, c / 2 * P);
        conv(b, "expand", 2, 3, c / 2, c, 1, 1);
        b.add("sum", 3, 0, 0, c * P);
    }

    /** A 1x1 layer, then a 3x3 layer whose input arrives framed (Winograd's), its value added over the shortcut. */
    private static void wide(PlanBuilder b, int c) {
        conv(b, "own", 0, 1, c, c, 1, 1);
        b.activation("own_relu", 1, 1, Activation.RELU, 0, c * P);
        conv(b, "wide", 1, 3, c, c, 3, 1);
        b.add("sum", 3, 0, 0, c * P);
    }

    /** One 1x1 layer of the shortcut itself, added back over it. */
    private static void readsItsShortcut(PlanBuilder b, int c) {
        conv(b, "own", 0, 3, c, c, 1, 1);
        b.add("sum", 3, 0, 0, c * P);
    }

    /** A 3x3 layer (a 1x1 one would run fused with it), then a depthwise one whose value is added over the shortcut. */
    private static void depthwise(PlanBuilder b, int c) {
        conv(b, "wide", 0, 1, c, c, 3, 1);
        b.activation("wide_relu", 1, 1, Activation.RELU, 0, c * P);
        conv(b, "depthwise", 1, 3, c, c, 3, c);
        b.add("sum", 3, 0, 0, c * P);
    }

    private record Run(float[] out, Map<String, String> kernels, Map<String, Step> steps) {
    }

    private static Run run(PlanBuilder.Mode mode, int c, BiConsumer<PlanBuilder, Integer> net) {
        PlanBuilder b = new PlanBuilder(Parameters.initialized(specs(c), 5), BATCH, mode, IN * P, buffers(c));
        net.accept(b, c);
        Random r = new Random(17);
        float[] x = new float[BATCH * IN * P];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (InferenceSession s = b.build(4, Shape.of(IN, H, H), Shape.of(IN, H, H), 2)) {
            s.run(x);
            return new Run(s.run(x).clone(), s.kernels(), s.steps());
        }
    }

    /** The fast path's run of {@code block}, checked against the reference path's values. */
    private static Run checked(int c, BiConsumer<PlanBuilder, Integer> block) {
        Run expected = run(PlanBuilder.Mode.REFERENCE, c, network(block));
        Run fast = run(PlanBuilder.Mode.FAST, c, network(block));
        assertEquals(expected.out().length, fast.out().length);
        for (int i = 0; i < expected.out().length; i++) {
            double e = expected.out()[i];
            assertEquals(e, fast.out()[i], 1e-4 * Math.max(1, Math.abs(e)), "value " + i);
        }
        return fast;
    }

    private static void assertInPlace(Run fast, String layer, String kernel) {
        assertEquals(kernel, fast.kernels().get(layer));
        assertWritesOverResidual(fast, layer);
    }

    private static void assertWritesOverResidual(Run fast, String layer) {
        LinearStep step = (LinearStep) fast.steps().get(layer);
        assertSame(step.residual(), step.writes(), layer + " writes the sum over its residual");
    }

    @Test
    void aBottlenecksLastLayerWritesTheSumOverABlockedShortcut() {
        assertInPlace(checked(32, ResidualInPlaceTest::bottleneck), "expand", "channel-vector blocked");
    }

    @Test
    void aBottlenecksLastLayerWritesTheSumOverAShortcutOfPaddedBlocksOrNchw() {
        // 20 channels: padded to 24 in blocks of 8, NCHW beside blocks of 16 (its 1x1 layers then on the im2col product)
        Run fast = checked(20, ResidualInPlaceTest::bottleneck);
        assertWritesOverResidual(fast, "expand");
        assertTrue(Set.of("channel-vector blocked", "im2col gemm").contains(fast.kernels().get("expand")), fast.kernels().toString());
    }

    @Test
    void winogradWritesTheSumOverTheShortcut() {
        assertInPlace(checked(32, ResidualInPlaceTest::wide), "wide", "winograd 2x2");
    }

    @Test
    void aLayerThatReadsItsShortcutLeavesTheAdditionToAStepOfItsOwn() {
        Run fast = checked(32, ResidualInPlaceTest::readsItsShortcut);
        assertNull(((LinearStep) fast.steps().get("own")).residual());
        assertNotSame(fast.steps().get("own").writes(), fast.steps().get("stem").writes());
    }

    @Test
    void aDepthwiseLayerLeavesTheAdditionToAStepOfItsOwn() {
        Run fast = checked(32, ResidualInPlaceTest::depthwise);
        assertNull(((LinearStep) fast.steps().get("depthwise")).residual());
    }
}
