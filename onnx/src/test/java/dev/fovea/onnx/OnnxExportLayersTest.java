package dev.fovea.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.fovea.runtime.Shape;
import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.exec.PlanBuilder;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.plan.InferencePlanner;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Layers no zoo model has yet, exported and run by ONNX Runtime beside Fovea's reference path: a
 * transposed convolution with output padding (the fast path held to the reference path too), the activations written as several operators or with
 * attributes (hard-swish and hard-sigmoid among them), constant factors (one folded into a convolution), adaptive pooling to a grid, and a dilated max pool. The zoo's models are checked whole in
 * it-tests.
 */
class OnnxExportLayersTest {
    private static final Shape IN = new Shape(3, 8, 8);

    private static NetworkGraph graph(Layer... layers) {
        return NetworkGraph.chain(IN, layers).build();
    }

    @Test
    void layersTheZooLacksRunAlikeInOnnxRuntime() throws Exception {
        Shape up = new Shape(4, 16, 16);
        Shape pooled = new Shape(4, 4, 4);
        NetworkGraph graph = graph(
                new Layer.ConvTranspose2d("up", NetworkGraph.INPUT, IN, up, Window.kernel(3).stride(2).pad(1), 1, "up.weight", "up.bias"),
                new Layer.Activation("leaky", "up", up, Activation.LEAKY_RELU, 0.1),
                new Layer.Conv2d("conv", "leaky", up, up, Window.kernel(3).pad(2).dilation(2, 2), 2, "conv.weight", "conv.bias", List.of()),
                new Layer.Multiply("folded", "conv", up, 0.17),
                new Layer.Activation("silu", "folded", up, Activation.SILU, 0),
                new Layer.Activation("gelu", "silu", up, Activation.GELU, 0),
                new Layer.Activation("relu6", "gelu", up, Activation.RELU6, 0),
                new Layer.Activation("hardswish", "relu6", up, Activation.HARD_SWISH, 0),
                new Layer.Pool2d("pool", "hardswish", up, new Shape(4, 12, 12), PoolKind.MAX, Window.kernel(3).dilation(2, 2), false, false),
                new Layer.Multiply("scaled", "pool", new Shape(4, 12, 12), -0.5),
                new Layer.Activation("tanh", "scaled", new Shape(4, 12, 12), Activation.TANH, 0),
                new Layer.Border("padded", "tanh", new Shape(4, 12, 12), new Shape(4, 13, 14), 0, 1),
                new Layer.Border("cropped", "padded", new Shape(4, 13, 14), new Shape(4, 12, 12), -1, -2),
                new Layer.AdaptiveAvgPool2d("grid", "cropped", new Shape(4, 12, 12), pooled),
                new Layer.Flatten("flat", "grid", pooled, new Shape(64)),
                new Layer.Dense("fc", "flat", new Shape(64), new Shape(5), "fc.weight", "fc.bias", false),
                new Layer.Activation("hardsigmoid", "fc", new Shape(5), Activation.HARD_SIGMOID, 0),
                new Layer.Activation("sigmoid", "hardsigmoid", new Shape(5), Activation.SIGMOID, 0));
        Parameters p = random(List.of(new TensorSpec("up.weight", new int[] {3, 4, 3, 3}, false), new TensorSpec("up.bias", new int[] {4}, false),
                new TensorSpec("conv.weight", new int[] {4, 2, 3, 3}, false), new TensorSpec("conv.bias", new int[] {4}, false),
                new TensorSpec("fc.weight", new int[] {5, 64}, false), new TensorSpec("fc.bias", new int[] {5}, false)));
        int batch = 2;
        float[] x = new float[batch * (int) IN.elements()];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-2, 2);
        }
        float[] expected;
        try (InferenceSession s = InferencePlanner.session(graph, p, batch, 1, PlanBuilder.Mode.REFERENCE)) {
            expected = s.run(x).clone();
        }
        try (InferenceSession s = InferencePlanner.session(graph, p, batch, 2, PlanBuilder.Mode.FAST)) {
            float[] fast = s.run(x);
            for (int i = 0; i < expected.length; i++) {
                assertTrue(Math.abs(fast[i] - expected[i]) <= 1e-5, "output " + i + ": fast " + fast[i] + ", reference " + expected[i]);
            }
        }
        byte[] model = OnnxExport.model(graph, p, new OnnxExport.Provenance("test.Layers", "random")).toByteArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession ort = env.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {batch, 3, 8, 8});
                OrtSession.Result result = ort.run(Map.of(NetworkGraph.INPUT, input))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            assertEquals(expected.length, out.remaining());
            for (int i = 0; i < expected.length; i++) {
                float actual = out.get(i);
                assertTrue(Math.abs(actual - expected[i]) <= 1e-5, "output " + i + ": Fovea " + expected[i] + ", ONNX Runtime " + actual);
            }
        }
    }

    @Test
    void adaptivePoolingWithUnequalWindowsIsNamedAsUnsupported() {
        NetworkGraph graph = graph(new Layer.AdaptiveAvgPool2d("odd", NetworkGraph.INPUT, IN, new Shape(3, 3, 3)));
        var e = assertThrows(UnsupportedOperationException.class,
                () -> OnnxExport.model(graph, new Parameters(List.of()), new OnnxExport.Provenance("test.Odd", "none")));
        assertEquals("odd: adaptive average pooling from 8x8 to 3x3 has windows of different sizes, which no ONNX operator computes",
                e.getMessage());
    }

    private static Parameters random(List<TensorSpec> specs) {
        Parameters p = new Parameters(specs);
        SplittableRandom r = new SplittableRandom(5);
        for (TensorSpec s : specs) {
            float[] v = p.get(s.name());
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextDouble(-0.5, 0.5);
            }
        }
        return p;
    }
}
