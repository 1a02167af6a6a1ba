package dev.fovea.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.plan.InferencePlanner;
import dev.fovea.runtime.weights.Init;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import dev.fovea.runtime.weights.WeightsException;
import dev.fovea.runtime.weights.SafeTensors;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session's weights are held once: parameters given {@link Parameters#forOneSession} hand their arrays
 * to the planner, which makes or reads each only when its kernel packs it and lets it go then (the
 * session keeps only the packed copies); a weights file is checked when opened and read tensor by tensor.
 */
class OneSessionWeightsTest {
    private static final Shape IN = new Shape(16, 8, 8);
    private static final Shape MAPS = new Shape(32, 8, 8);
    private static final NetworkGraph GRAPH = graph();
    private static final List<TensorSpec> SPECS = List.of(
            new TensorSpec("conv1.weight", new int[] {32, 16, 3, 3}, false), new TensorSpec("conv1.bias", new int[] {32}, false),
            new TensorSpec("bn1.weight", new int[] {32}, false), new TensorSpec("bn1.bias", new int[] {32}, false),
            new TensorSpec("bn1.running_mean", new int[] {32}, true), new TensorSpec("bn1.running_var", new int[] {32}, true),
            new TensorSpec("conv2.weight", new int[] {32, 32, 3, 3}, false),
            new TensorSpec("fc.weight", new int[] {10, 32}, false), new TensorSpec("fc.bias", new int[] {10}, false));

    private static NetworkGraph graph() {
        Layer[] layers = {
            new Layer.Conv2d("conv1", NetworkGraph.INPUT, IN, MAPS, Window.kernel(3).pad(1), 1, "conv1.weight", "conv1.bias", List.of()),
            new Layer.BatchNorm("bn1", "conv1", MAPS, "bn1", 1e-5, 0.1),
            new Layer.Activation("relu1", "bn1", MAPS, Activation.RELU, 0),
            new Layer.Conv2d("conv2", "relu1", MAPS, MAPS, Window.kernel(3).pad(1), 1, "conv2.weight", null, List.of()),
            new Layer.Pool2d("pool", "conv2", MAPS, new Shape(32, 4, 4), PoolKind.MAX, Window.kernel(2).stride(2), false, false),
            new Layer.AdaptiveAvgPool2d("gap", "pool", new Shape(32, 4, 4), new Shape(32, 1, 1)),
            new Layer.Flatten("flat", "gap", new Shape(32, 1, 1), new Shape(32)),
            new Layer.Dense("fc", "flat", new Shape(32), new Shape(10), "fc.weight", "fc.bias", false)};
        return NetworkGraph.chain(IN, layers).build();
    }

    /** Random weights; positive variances. */
    private static Map<String, LoadedTensor> weights() {
        Random r = new Random(3);
        Map<String, LoadedTensor> w = new LinkedHashMap<>();
        for (TensorSpec s : SPECS) {
            float[] v = new float[s.elements()];
            for (int i = 0; i < v.length; i++) {
                v[i] = s.name().endsWith("running_var") ? 0.5f + r.nextFloat() : (float) r.nextGaussian() * 0.2f;
            }
            w.put(s.name(), new LoadedTensor(s.shape(), v));
        }
        return w;
    }

    private static Parameters parameters() {
        Parameters p = new Parameters(SPECS);
        p.load(weights(), "test weights");
        return p;
    }

    private static float[] input() {
        Random r = new Random(4);
        float[] x = new float[2 * Math.toIntExact(IN.elements())];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void aSessionOfHandedOverParametersComputesTheSameAndTheyHoldNothingAfterwards() {
        float[] expected;
        try (InferenceSession s = InferencePlanner.session(GRAPH, parameters(), 2, 1, PlanBuilder.Mode.FAST)) {
            expected = s.run(input()).clone();
        }
        Parameters given = parameters().forOneSession();
        try (InferenceSession s = InferencePlanner.session(GRAPH, given, 2, 1, PlanBuilder.Mode.FAST)) {
            assertArrayEquals(expected, s.run(input()));
        }
        var e = assertThrows(IllegalStateException.class, () -> given.get("conv2.weight"));
        assertEquals("tensor conv2.weight was handed to an inference session; these parameters hold it no more", e.getMessage());
    }

    /** The convolutions' unpacked weights (conv2's as given, conv1's folded with batch norm) are garbage once the session is built. */
    @Test
    void theSessionKeepsOnlyThePackedWeights() throws InterruptedException {
        Parameters given = parameters();
        WeakReference<float[]> conv1 = new WeakReference<>(given.get("conv1.weight"));
        WeakReference<float[]> conv2 = new WeakReference<>(given.get("conv2.weight"));
        try (InferenceSession s = InferencePlanner.session(GRAPH, given.forOneSession(), 2, 1, PlanBuilder.Mode.FAST)) {
            given = null;
            for (int i = 0; i < 10 && (conv1.get() != null || conv2.get() != null); i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertTrue(conv1.get() == null, "conv1's weights outlived the planning");
            assertTrue(conv2.get() == null, "conv2's weights outlived the planning");
            s.run(input());
        }
    }

    /** A weights file is checked against the model when opened, and each tensor read only when its kernel packs it. */
    @Test
    void aWeightsFileIsCheckedWhenOpenedAndReadWhenPacked(@TempDir Path dir) {
        Path file = dir.resolve("w.safetensors");
        SafeTensors.write(file, weights(), Map.of());
        float[] expected;
        try (InferenceSession s = InferencePlanner.session(GRAPH, parameters(), 2, 1, PlanBuilder.Mode.FAST)) {
            expected = s.run(input()).clone();
        }
        Parameters fromFile = Parameters.readWhenAsked(SPECS, SafeTensors.deferred(file)).forOneSession();
        try (InferenceSession s = InferencePlanner.session(GRAPH, fromFile, 2, 1, PlanBuilder.Mode.FAST)) {
            assertArrayEquals(expected, s.run(input()));
        }

        Map<String, LoadedTensor> wrong = weights();
        wrong.put("fc.bias", new LoadedTensor(new int[] {11}, new float[11]));
        SafeTensors.write(file, wrong, Map.of());
        var e = assertThrows(WeightsException.class, () -> Parameters.readWhenAsked(SPECS, SafeTensors.deferred(file)));
        assertEquals(file + ": tensor fc.bias has shape [11] but the model needs [10]", e.getMessage());
    }

    /**
     * Three convolutions of one shape, as in a stage of a ResNet: once a kernel has packed its weight,
     * the next weight of that length is made or read into the same array, with its own values.
     */
    @Test
    void aPackedWeightsArrayTakesTheNextWeightOfItsLength(@TempDir Path dir) {
        Shape maps = new Shape(16, 8, 8);
        List<TensorSpec> specs = new java.util.ArrayList<>();
        List<Layer> layers = new java.util.ArrayList<>();
        String previous = NetworkGraph.INPUT;
        for (String name : List.of("a", "b", "c")) {
            specs.add(new TensorSpec(name + ".weight", new int[] {16, 16, 3, 3}, false, Init.fanIn(16 * 9)));
            specs.add(new TensorSpec(name + ".bias", new int[] {16}, false, Init.fanIn(16 * 9)));
            layers.add(new Layer.Conv2d(name, previous, maps, maps, Window.kernel(3).pad(1), 1, name + ".weight", name + ".bias", List.of()));
            layers.add(new Layer.Activation(name + ".relu", name, maps, Activation.RELU, 0));
            previous = name + ".relu";
        }
        NetworkGraph graph = NetworkGraph.chain(maps, layers.toArray(Layer[]::new)).build();
        float[] x = new float[2 * 16 * 8 * 8];
        Random r = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] expected;
        try (InferenceSession s = InferencePlanner.session(graph, Parameters.initialized(specs, 7), 2, 1, PlanBuilder.Mode.FAST)) {
            expected = s.run(x).clone();
        }
        try (InferenceSession s = InferencePlanner.session(graph, Parameters.initializedWhenRead(specs, 7).forOneSession(), 2, 1,
                PlanBuilder.Mode.FAST)) {
            assertArrayEquals(expected, s.run(x), "weights made into spare arrays");
        }
        Path file = dir.resolve("w.safetensors");
        Parameters initialized = Parameters.initialized(specs, 7);
        Map<String, LoadedTensor> tensors = new LinkedHashMap<>();
        specs.forEach(spec -> tensors.put(spec.name(), new LoadedTensor(spec.shape(), initialized.get(spec.name()))));
        SafeTensors.write(file, tensors, Map.of());
        try (InferenceSession s = InferencePlanner.session(graph, Parameters.readWhenAsked(specs, SafeTensors.deferred(file)).forOneSession(),
                2, 1, PlanBuilder.Mode.FAST)) {
            assertArrayEquals(expected, s.run(x), "weights read into spare arrays");
        }
    }

    @Test
    void anArrayGivenBackHoldsTheNextTensorOfItsLengthWithThatTensorsValues() {
        List<TensorSpec> specs = List.of(new TensorSpec("w1", new int[] {4, 3}, false, Init.fanIn(3)),
                new TensorSpec("w2", new int[] {3, 4}, false, Init.fanIn(4)), new TensorSpec("zeros", new int[] {12}, true));
        Parameters atOnce = Parameters.initialized(specs, 9);
        Parameters given = Parameters.initializedWhenRead(specs, 9).forOneSession();
        float[] w1 = given.take("w1");
        given.giveBack(w1);
        float[] w2 = given.take("w2");
        assertTrue(w2 == w1, "w2 was not made in the array w1 gave back");
        assertArrayEquals(atOnce.get("w2"), w2);
        given.giveBack(w2);
        float[] zeros = given.take("zeros");
        assertTrue(zeros == w2, "zeros was not made in the array w2 gave back");
        assertArrayEquals(new float[12], zeros);

        Parameters kept = Parameters.initializedWhenRead(specs, 9); // not given to one session: nothing is reused
        float[] k1 = kept.take("w1");
        kept.giveBack(k1);
        assertTrue(kept.take("w2") != k1, "parameters that stay in use reused an array");
    }

    @Test
    void parametersMadeWhenReadHoldTheValuesOfParametersMadeAtOnce() {
        List<TensorSpec> specs = List.of(new TensorSpec("w", new int[] {4, 3}, false, Init.fanIn(3)),
                new TensorSpec("b", new int[] {4}, false, Init.constant(0.5)));
        Parameters atOnce = Parameters.initialized(specs, 9);
        Parameters whenRead = Parameters.initializedWhenRead(specs, 9);
        for (TensorSpec s : specs) {
            assertArrayEquals(atOnce.get(s.name()), whenRead.get(s.name()), s.name());
        }
    }
}
