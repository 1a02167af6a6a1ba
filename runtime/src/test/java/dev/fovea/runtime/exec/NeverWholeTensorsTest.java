package dev.fovea.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.plan.InferenceBuffers;
import dev.fovea.runtime.plan.InferencePlanner;
import dev.fovea.runtime.weights.Init;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Tensors the fast path never holds whole: a stem's map, which its max pool reads sample by sample as the
 * convolution writes it, and the expanded tensor of an inverted residual block, which the fused expand
 * and depthwise kernel keeps in a thread's cache. The plan gives each a stand-in instead of a buffer,
 * sizes the buffer it came from for the tensors left in it, and the values are the reference path's.
 * Where the fusion does not happen after all, the layers get a whole array and still compute the same.
 */
class NeverWholeTensorsTest {
    private static final int C = 32;
    private static final int BATCH = 3;
    private static final Shape IMAGE = new Shape(3, 32, 32);
    private static final Shape SMALL_IMAGE = new Shape(3, 16, 16);
    private static final Shape MAP = new Shape(C, 16, 16);
    private static final Shape POOLED = new Shape(C, 8, 8);
    private static final Shape EXPANDED = new Shape(2 * C, 8, 8);

    private static List<TensorSpec> specs() {
        List<TensorSpec> specs = new ArrayList<>();
        conv(specs, "conv1", C, 3, 7);
        conv(specs, "expand", 2 * C, C, 1);
        conv(specs, "depthwise", 2 * C, 1, 3);
        conv(specs, "project", C, 2 * C, 1);
        conv(specs, "mix", C, 2 * C, 3);
        conv(specs, "point", C, 3, 1);
        conv(specs, "square", C, 1, 3);
        norm(specs, "bn1", C);
        norm(specs, "expand_bn", 2 * C);
        norm(specs, "depthwise_bn", 2 * C);
        specs.add(new TensorSpec("fc.weight", new int[] {10, C}, false, Init.fanIn(C)));
        specs.add(new TensorSpec("fc.bias", new int[] {10}, false, Init.fanIn(C)));
        return specs;
    }

    private static void conv(List<TensorSpec> specs, String name, int co, int ci, int k) {
        specs.add(new TensorSpec(name + ".weight", new int[] {co, ci, k, k}, false, Init.fanIn(ci * k * k)));
        specs.add(new TensorSpec(name + ".bias", new int[] {co}, false, Init.fanIn(ci * k * k)));
    }

    private static void norm(List<TensorSpec> specs, String name, int c) {
        specs.add(new TensorSpec(name + ".weight", new int[] {c}, false, Init.fanIn(4)));
        specs.add(new TensorSpec(name + ".bias", new int[] {c}, false, Init.fanIn(4)));
        specs.add(new TensorSpec(name + ".running_mean", new int[] {c}, true, Init.fanIn(16)));
        specs.add(new TensorSpec(name + ".running_var", new int[] {c}, true, Init.constant(1.5)));
    }

    /**
     * ResNet's stem and an inverted residual block, on a plan that shares buffers as the compiler's does: 0 holds
     * the stem's map, then the depthwise output; 1 the pool's output, then the projection; 2 the expanded tensor,
     * then the pooled features.
     */
    private static NetworkGraph network() {
        Layer[] layers = {
            new Layer.Conv2d("conv1", NetworkGraph.INPUT, IMAGE, MAP, Window.kernel(7).stride(2).pad(3), 1, "conv1.weight", "conv1.bias", List.of()),
            new Layer.BatchNorm("bn1", "conv1", MAP, "bn1", 1e-5, 0.1),
            new Layer.Activation("relu", "bn1", MAP, Activation.RELU, 0),
            new Layer.Pool2d("pool", "relu", MAP, POOLED, PoolKind.MAX, Window.kernel(3).stride(2).pad(1), false, false),
            new Layer.Conv2d("expand", "pool", POOLED, EXPANDED, Window.kernel(1), 1, "expand.weight", null, List.of()),
            new Layer.BatchNorm("expand_bn", "expand", EXPANDED, "expand_bn", 1e-5, 0.1),
            new Layer.Activation("expand_relu", "expand_bn", EXPANDED, Activation.RELU6, 0),
            new Layer.Conv2d("depthwise", "expand_relu", EXPANDED, EXPANDED, Window.kernel(3).pad(1), 2 * C, "depthwise.weight", null, List.of()),
            new Layer.BatchNorm("depthwise_bn", "depthwise", EXPANDED, "depthwise_bn", 1e-5, 0.1),
            new Layer.Activation("depthwise_relu", "depthwise_bn", EXPANDED, Activation.RELU6, 0),
            new Layer.Conv2d("project", "depthwise_relu", EXPANDED, POOLED, Window.kernel(1), 1, "project.weight", "project.bias", List.of()),
            new Layer.AdaptiveAvgPool2d("gap", "project", POOLED, new Shape(C, 1, 1)),
            new Layer.Flatten("flat", "gap", new Shape(C, 1, 1), new Shape(C)),
            new Layer.Dense("fc", "flat", new Shape(C), new Shape(10), "fc.weight", "fc.bias", false)};
        int[] buffers = {0, 0, 0, 1, 2, 2, 2, 0, 0, 0, 1, 2, 2, 3};
        NetworkGraph.Builder b = NetworkGraph.builder(IMAGE, (int) MAP.elements(), (int) POOLED.elements(), (int) EXPANDED.elements(), 10);
        for (int i = 0; i < layers.length; i++) {
            b.add(buffers[i], layers[i]);
        }
        return b.build();
    }

    private static float[] input(int floats) {
        Random r = new Random(3);
        float[] x = new float[floats];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private record Run(float[] out, Map<String, String> kernels) {
    }

    private static Run run(NetworkGraph graph, PlanBuilder.Mode mode) {
        try (InferenceSession s = InferencePlanner.session(graph, Parameters.initialized(specs(), 5), BATCH, 2, mode)) {
            return new Run(s.run(input(BATCH * (int) IMAGE.elements())).clone(), s.kernels());
        }
    }

    @Test
    void theStemsMapAndTheExpandedTensorGetStandInsAndTheirBuffersShrink() {
        NetworkGraph graph = network();
        InferenceBuffers buffers = InferenceBuffers.fast(graph, BATCH);
        boolean[] standIn = buffers.standIn();
        for (String layer : List.of("conv1", "bn1", "relu")) {
            assertEquals(4, buffers.bufferOf(layer), layer);
        }
        for (String layer : List.of("expand", "expand_bn", "expand_relu")) {
            assertEquals(5, buffers.bufferOf(layer), layer);
        }
        assertArrayEquals(new boolean[] {false, false, false, false, true, true}, standIn);
        // buffer 0 keeps the depthwise output, half the stem's map; buffer 2 the pooled features
        assertArrayEquals(new int[] {(int) EXPANDED.elements(), (int) POOLED.elements(), C, 10, (int) MAP.elements(), (int) EXPANDED.elements()},
                buffers.floats());
        assertEquals(0, buffers.bufferOf("depthwise_relu"));
        assertArrayEquals(graph.bufferFloats(), InferenceBuffers.planned(graph).floats());
    }

    @Test
    void theStemPoolsSampleBySampleAndTheBlockRunsFusedWithTheReferencesValues() {
        Run fast = run(network(), PlanBuilder.Mode.FAST);
        assertClose(run(network(), PlanBuilder.Mode.REFERENCE).out(), fast.out());
        assertTrue(fast.kernels().get("conv1+pool").endsWith("sample by sample"), fast.kernels().toString());
        assertEquals("expand-depthwise blocked", fast.kernels().get("expand+depthwise"), fast.kernels().toString());
        assertClose(run(network(), PlanBuilder.Mode.REFERENCE).out(), fast.out());
    }

    /**
     * A VGG stage: two 3x3 layers and a max pool. The second layer reads the first's output in Winograd's frame
     * and runs one sample at a time, the pool after it; its map leaves buffer 1, where the next stage's output is smaller.
     */
    @Test
    void aStagesLastLayerPoolsSampleBySampleOnWinograd() {
        Shape maps = new Shape(C, 28, 28);
        Shape pooled = new Shape(C, 14, 14);
        Layer[] layers = {
            new Layer.Conv2d("a", NetworkGraph.INPUT, maps, maps, Window.kernel(3).pad(1), 1, "a.weight", "a.bias", List.of()),
            new Layer.Activation("a_relu", "a", maps, Activation.RELU, 0),
            new Layer.Conv2d("b", "a_relu", maps, maps, Window.kernel(3).pad(1), 1, "b.weight", "b.bias", List.of()),
            new Layer.Activation("b_relu", "b", maps, Activation.RELU, 0),
            new Layer.Pool2d("pool", "b_relu", maps, pooled, PoolKind.MAX, Window.kernel(2).stride(2), false, false),
            new Layer.Conv2d("c", "pool", pooled, pooled, Window.kernel(3).pad(1), 1, "c.weight", "c.bias", List.of()),
            new Layer.AdaptiveAvgPool2d("gap", "c", pooled, new Shape(C, 1, 1)),
            new Layer.Flatten("flat", "gap", new Shape(C, 1, 1), new Shape(C)),
            new Layer.Dense("fc", "flat", new Shape(C), new Shape(10), "fc.weight", "fc.bias", false)};
        int[] buffers = {0, 0, 1, 1, 0, 1, 2, 2, 3};
        NetworkGraph.Builder b = NetworkGraph.builder(maps, (int) maps.elements(), (int) maps.elements(), C, 10);
        for (int i = 0; i < layers.length; i++) {
            b.add(buffers[i], layers[i]);
        }
        NetworkGraph graph = b.build();
        InferenceBuffers planned = InferenceBuffers.fast(graph, BATCH);
        assertArrayEquals(new boolean[] {false, false, false, false, true}, planned.standIn());
        assertEquals(4, planned.bufferOf("b_relu"));
        assertEquals((int) pooled.elements(), planned.floats()[1]);
        List<TensorSpec> specs = new ArrayList<>();
        for (String conv : List.of("a", "b", "c")) {
            conv(specs, conv, C, C, 3);
        }
        specs.add(new TensorSpec("fc.weight", new int[] {10, C}, false, Init.fanIn(C)));
        specs.add(new TensorSpec("fc.bias", new int[] {10}, false, Init.fanIn(C)));
        float[][] out = new float[2][];
        Map<String, String> kernels = null;
        for (PlanBuilder.Mode mode : PlanBuilder.Mode.values()) {
            try (InferenceSession s = InferencePlanner.session(graph, Parameters.initialized(specs, 5), BATCH, 2, mode)) {
                out[mode.ordinal()] = s.run(input(BATCH * (int) maps.elements())).clone();
                kernels = mode == PlanBuilder.Mode.FAST ? s.kernels() : kernels;
            }
        }
        assertEquals("winograd 4x4, sample by sample", kernels.get("b+pool"), kernels.toString());
        assertClose(out[PlanBuilder.Mode.REFERENCE.ordinal()], out[PlanBuilder.Mode.FAST.ordinal()]);
    }

    /** A norm after the activation does not fold into the convolution: the map is a step's input, so it keeps its buffer. */
    @Test
    void aMapThatAStepReadsKeepsItsBuffer() {
        Layer[] layers = {
            new Layer.Conv2d("conv1", NetworkGraph.INPUT, IMAGE, MAP, Window.kernel(7).stride(2).pad(3), 1, "conv1.weight", "conv1.bias", List.of()),
            new Layer.Activation("relu", "conv1", MAP, Activation.RELU, 0),
            new Layer.BatchNorm("bn1", "relu", MAP, "bn1", 1e-5, 0.1),
            new Layer.Pool2d("pool", "bn1", MAP, POOLED, PoolKind.MAX, Window.kernel(3).stride(2).pad(1), false, false)};
        NetworkGraph.Builder b = NetworkGraph.builder(IMAGE, (int) MAP.elements(), (int) POOLED.elements());
        for (int i = 0; i < layers.length; i++) {
            b.add(i < 3 ? 0 : 1, layers[i]);
        }
        NetworkGraph graph = b.build();
        InferenceBuffers buffers = InferenceBuffers.fast(graph, BATCH);
        assertArrayEquals(new boolean[] {false, false}, buffers.standIn());
        assertArrayEquals(graph.bufferFloats(), buffers.floats());
    }

    /**
     * Buffers for the builder's own plan: 0 = a depthwise layer's map (stand-in), 1 = pooled, then averaged, 2 = a 1x1 layer's output
     * (stand-in), 3 = the map the depthwise layer reads, then mixed.
     */
    private static final int[] FLOATS = {(int) MAP.elements(), (int) POOLED.elements(), (int) EXPANDED.elements(), (int) MAP.elements()};
    private static final boolean[] STAND_INS = {true, false, true, false};

    /**
     * A depthwise layer (its kernel runs the whole batch at once) before a max pool, and a
     * 1x1 layer that a full 3x3 layer reads: neither fuses as the stand-ins expected, and each gets a whole array.
     */
    private static void unfused(PlanBuilder b) {
        b.conv2d("point", -1, 3, "point.weight", "point.bias", 3, 16, 16, C, 16, 16, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.conv2d("conv1", 3, 0, "square.weight", "square.bias", C, 16, 16, C, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, C);
        b.activation("relu", 0, 0, Activation.RELU, 0, (int) MAP.elements());
        b.pool2d("pool", true, 0, 1, C, 16, 16, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false);
        b.conv2d("expand", 1, 2, "expand.weight", null, C, 8, 8, 2 * C, 8, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        b.activation("expand_relu", 2, 2, Activation.RELU6, 0, (int) EXPANDED.elements());
        b.conv2d("mix", 2, 3, "mix.weight", "mix.bias", 2 * C, 8, 8, C, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        b.pool2d("avg", false, 3, 1, C, 8, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true);
    }

    private static Run runUnfused(PlanBuilder.Mode mode) {
        PlanBuilder b = new PlanBuilder(Parameters.initialized(specs(), 5), BATCH, mode, (int) SMALL_IMAGE.elements(), FLOATS, STAND_INS);
        unfused(b);
        try (InferenceSession s = b.build(1, SMALL_IMAGE, POOLED, 2)) {
            return new Run(s.run(input(BATCH * (int) SMALL_IMAGE.elements())).clone(), s.kernels());
        }
    }

    @Test
    void layersThatDoNotFuseAsExpectedGetWholeArrays() {
        Run fast = runUnfused(PlanBuilder.Mode.FAST);
        assertFalse(fast.kernels().get("conv1+pool").endsWith("sample by sample"), fast.kernels().toString());
        assertTrue(fast.kernels().containsKey("expand") && fast.kernels().containsKey("mix"), fast.kernels().toString());
        assertClose(runUnfused(PlanBuilder.Mode.REFERENCE).out(), fast.out());
        assertFalse(java.util.Arrays.equals(new float[fast.out().length], fast.out()));
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * Math.max(1, scale), "at " + i);
        }
    }
}
