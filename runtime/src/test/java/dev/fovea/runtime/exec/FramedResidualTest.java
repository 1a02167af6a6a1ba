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
import org.junit.jupiter.api.Test;

/**
 * A ResNet basic block on the fast path: its input is read by the first 3x3 convolution and added by the
 * second as its residual. Both read it inside the zero frame the first one's window needs, so that layer
 * runs as Winograd's too (with ReLU; with ReLU6, which Winograd's kernel does not take, both run on the
 * channel-vector kernel, the residual still framed). The values are the reference path's.
 */
class FramedResidualTest {
    private static final int C = 32;
    private static final int H = 14;
    private static final int P = H * H;
    private static final int BATCH = 2;
    /** Buffers: 0 = stem (the block's input), 1 = first convolution, 2 = the block's output, 3 = the 1x1 layer after it (NCHW). */
    private static final int[] BUFFERS = {C * P, C * P, C * P, 16 * P};

    private static List<TensorSpec> specs() {
        List<TensorSpec> specs = new ArrayList<>();
        for (String[] conv : new String[][] {{"stem", "16", "1"}, {"conv1", "32", "3"}, {"conv2", "32", "3"}}) {
            int ci = Integer.parseInt(conv[1]);
            int k = Integer.parseInt(conv[2]);
            specs.add(new TensorSpec(conv[0] + ".weight", new int[] {C, ci, k, k}, false, Init.fanIn(ci * k * k)));
            specs.add(new TensorSpec(conv[0] + ".bias", new int[] {C}, false, Init.fanIn(ci * k * k)));
        }
        specs.add(new TensorSpec("head.weight", new int[] {16, C, 1, 1}, false, Init.fanIn(C)));
        return specs;
    }

    private static void block(PlanBuilder b, Activation a) {
        b.conv2d("stem", -1, 0, "stem.weight", "stem.bias", 16, H, H, C, H, H, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.activation("stem_relu", 0, 0, a, 0, C * P);
        b.conv2d("conv1", 0, 1, "conv1.weight", "conv1.bias", C, H, H, C, H, H, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        b.activation("relu1", 1, 1, a, 0, C * P);
        b.conv2d("conv2", 1, 2, "conv2.weight", "conv2.bias", C, H, H, C, H, H, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        b.add("sum", 2, 0, 2, C * P);
        b.activation("relu2", 2, 2, a, 0, C * P);
        b.conv2d("head", 2, 3, "head.weight", null, C, H, H, 16, H, H, 1, 1, 1, 1, 0, 0, 1, 1, 1);
    }

    private record Run(float[] out, Map<String, String> kernels) {
    }

    private static Run run(PlanBuilder.Mode mode, Activation a) {
        PlanBuilder b = new PlanBuilder(Parameters.initialized(specs(), 9), BATCH, mode, 16 * P, BUFFERS);
        block(b, a);
        Random r = new Random(13);
        float[] x = new float[BATCH * 16 * P];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (InferenceSession s = b.build(3, Shape.of(16, H, H), Shape.of(16, H, H), 2)) {
            s.run(x);
            return new Run(s.run(x).clone(), s.kernels());
        }
    }

    @Test
    void theBlocksFirstConvolutionRunsWinogradOnTheInputTheResidualAlsoReads() {
        Run fast = run(PlanBuilder.Mode.FAST, Activation.RELU);
        assertEquals("winograd", fast.kernels().get("conv1"));
        assertEquals("winograd", fast.kernels().get("conv2"));
        assertClose(run(PlanBuilder.Mode.REFERENCE, Activation.RELU), fast);
    }

    @Test
    void theChannelVectorKernelReadsAFramedResidual() {
        Run fast = run(PlanBuilder.Mode.FAST, Activation.RELU6);
        assertEquals("channel-vector blocked", fast.kernels().get("conv2"));
        assertClose(run(PlanBuilder.Mode.REFERENCE, Activation.RELU6), fast);
    }

    private static void assertClose(Run expected, Run actual) {
        assertEquals(expected.out().length, actual.out().length);
        for (int i = 0; i < expected.out().length; i++) {
            double e = expected.out()[i];
            assertEquals(e, actual.out()[i], 1e-4 * Math.max(1, Math.abs(e)), "value " + i);
        }
    }
}
