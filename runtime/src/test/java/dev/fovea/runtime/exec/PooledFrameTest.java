package dev.fovea.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.weights.Init;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A VGG stage boundary on the fast path: 3x3 convolution, ReLU, 2x2 max pool, 3x3 convolution, ReLU (and a
 * 1x1 layer, so that the 3x3 layer's output stays blocked). The pool
 * writes its output inside the zero border the next layer's window reads, so that layer runs as
 * Winograd's; when a second layer reads the pool's output too, nothing is framed and it runs direct.
 * Either way the values are the reference path's.
 */
class PooledFrameTest {
    private static final int C = 16;
    private static final int H = 28;
    private static final int BATCH = 2;
    /**
     * Buffers: 0 = first convolution (32 x 28 x 28), 1 = pool (32 x 14 x 14), 2 = second convolution, 3 = the 1x1 layer
     * after it (16 channels, the output, NCHW), 4 = side branch, 5 = sum, 6 = a second pool (32 x 7 x 7), 7 = adaptive
     * average pool to 7x7 (the output, NCHW).
     */
    private static final int[] BUFFERS = {32 * H * H, 32 * 14 * 14, 32 * 14 * 14, C * 14 * 14, 32 * 14 * 14, 32 * 14 * 14, 32 * 49, 32 * 49};

    private static List<TensorSpec> specs() {
        List<TensorSpec> specs = new ArrayList<>();
        for (String[] conv : new String[][] {{"conv1", "16"}, {"conv2", "32"}, {"side", "32"}}) {
            int ci = Integer.parseInt(conv[1]);
            specs.add(new TensorSpec(conv[0] + ".weight", new int[] {32, ci, 3, 3}, false, Init.fanIn(ci * 9)));
            specs.add(new TensorSpec(conv[0] + ".bias", new int[] {32}, false, Init.fanIn(ci * 9)));
        }
        specs.add(new TensorSpec("conv3.weight", new int[] {C, 32, 1, 1}, false, Init.fanIn(32)));
        return specs;
    }

    private static void stage(PlanBuilder b) {
        convolutions(b);
        b.conv2d("conv3", 2, 3, "conv3.weight", null, 32, 14, 14, C, 14, 14, 1, 1, 1, 1, 0, 0, 1, 1, 1);
    }

    /** Up to the second 3x3 layer, whose output (blocked) the 1x1 layer after it reads. */
    private static void convolutions(PlanBuilder b) {
        b.conv2d("conv1", -1, 0, "conv1.weight", "conv1.bias", C, H, H, 32, H, H, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        b.activation("relu1", 0, 0, Activation.RELU, 0, 32 * H * H);
        b.pool2d("pool", true, 0, 1, 32, H, H, 14, 14, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, false);
        b.conv2d("conv2", 1, 2, "conv2.weight", "conv2.bias", 32, 14, 14, 32, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        b.activation("relu2", 2, 2, Activation.RELU, 0, 32 * 14 * 14);
    }

    /** The stage, and a second reader of the pool's output whose result is added to the stage's. */
    private static void stageWithSideBranch(PlanBuilder b) {
        convolutions(b);
        b.conv2d("side", 1, 4, "side.weight", "side.bias", 32, 14, 14, 32, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        b.add("sum", 2, 4, 5, 32 * 14 * 14);
        b.conv2d("conv3", 5, 3, "conv3.weight", null, 32, 14, 14, C, 14, 14, 1, 1, 1, 1, 0, 0, 1, 1, 1);
    }

    /** VGG's end: the last 3x3 layer, a max pool, then an adaptive average pool to the pool's own size before the classifier. */
    private static void stageBeforeTheClassifier(PlanBuilder b) {
        convolutions(b);
        b.pool2d("pool2", true, 2, 6, 32, 14, 14, 7, 7, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, false);
        b.adaptiveAvgPool2d("avgpool", 6, 7, 32, 7, 7, 7, 7);
    }

    private record Run(float[] out, Map<String, String> kernels) {
    }

    private static Run run(PlanBuilder.Mode mode, Consumer<PlanBuilder> net, int output) {
        return run(mode, net, output, Shape.of(C, 14, 14));
    }

    private static Run run(PlanBuilder.Mode mode, Consumer<PlanBuilder> net, int output, Shape outputShape) {
        PlanBuilder b = new PlanBuilder(Parameters.initialized(specs(), 7), BATCH, mode, C * H * H, BUFFERS);
        net.accept(b);
        Random r = new Random(11);
        float[] x = new float[BATCH * C * H * H];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (InferenceSession s = b.build(output, Shape.of(C, H, H), outputShape, 2)) {
            // twice: the frame's border must still be zero on the second pass
            s.run(x);
            return new Run(s.run(x).clone(), s.kernels());
        }
    }

    @Test
    void theLayerAfterAPoolRunsWinogradOnTheFramedOutput() {
        Run fast = run(PlanBuilder.Mode.FAST, PooledFrameTest::stage, 3);
        assertEquals("winograd 2x2", fast.kernels().get("conv2"));
        assertClose(run(PlanBuilder.Mode.REFERENCE, PooledFrameTest::stage, 3), fast);
    }

    @Test
    void aPoolOutputReadTwiceIsNotFramed() {
        Run fast = run(PlanBuilder.Mode.FAST, PooledFrameTest::stageWithSideBranch, 3);
        assertEquals("channel-vector blocked", fast.kernels().get("conv2"));
        assertClose(run(PlanBuilder.Mode.REFERENCE, PooledFrameTest::stageWithSideBranch, 3), fast);
    }

    /** The adaptive pool that changes nothing moves the tensor into NCHW, so the layers before it stay blocked. */
    @Test
    void aSameSizeAveragePoolLetsTheLastConvolutionRunWinograd() {
        Run fast = run(PlanBuilder.Mode.FAST, PooledFrameTest::stageBeforeTheClassifier, 7, Shape.of(32, 7, 7));
        assertEquals("winograd 2x2", fast.kernels().get("conv2"));
        assertClose(run(PlanBuilder.Mode.REFERENCE, PooledFrameTest::stageBeforeTheClassifier, 7, Shape.of(32, 7, 7)), fast);
    }

    private static void assertClose(Run expected, Run actual) {
        assertEquals(expected.out().length, actual.out().length);
        for (int i = 0; i < expected.out().length; i++) {
            double e = expected.out()[i];
            assertEquals(e, actual.out()[i], 1e-4 * Math.max(1, Math.abs(e)), "value " + i);
        }
    }
}
