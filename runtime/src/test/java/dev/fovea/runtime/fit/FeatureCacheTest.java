package dev.fovea.runtime.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.data.Augmentation;
import dev.fovea.runtime.data.Dataset;
import dev.fovea.runtime.data.Loader;
import dev.fovea.runtime.graph.GraphCut;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.optim.Sgd;
import dev.fovea.runtime.plan.TrainingPlanner;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.Init;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Feature extraction: a frozen convolution's outputs computed once, and the head trained on them alone. */
class FeatureCacheTest {
    private static final Shape INPUT = Shape.of(1, 6, 6);
    private static final Shape CONV = Shape.of(4, 6, 6);
    private static final Shape POOLED = Shape.of(4, 3, 3);

    /** conv (frozen), ReLU, max pool, flatten, then a trainable residual-free head: dense, ReLU, dense. */
    private static NetworkGraph graph(String... frozen) {
        Layer[] layers = {
            new Layer.Conv2d("conv", NetworkGraph.INPUT, INPUT, CONV, Window.kernel(3).pad(1), 1, "conv.weight", "conv.bias", List.of()),
            new Layer.Activation("relu", "conv", CONV, Activation.RELU, 0),
            new Layer.Pool2d("pool", "relu", CONV, POOLED, PoolKind.MAX, Window.kernel(2).stride(2), false, false),
            new Layer.Flatten("flat", "pool", POOLED, Shape.of(36)),
            new Layer.Dense("fc1", "flat", Shape.of(36), Shape.of(8), "fc1.weight", "fc1.bias", false),
            new Layer.Activation("fc1/relu", "fc1", Shape.of(8), Activation.RELU, 0),
            new Layer.Dense("fc2", "fc1/relu", Shape.of(8), Shape.of(3), "fc2.weight", "fc2.bias", false)};
        NetworkGraph.Builder b = NetworkGraph.builder(INPUT, 144, 144);
        for (int i = 0; i < layers.length; i++) {
            b.add(i % 2, layers[i]);
        }
        return b.frozen(frozen).build();
    }

    private static Parameters parameters() {
        return Parameters.initialized(List.of(
                new TensorSpec("conv.weight", new int[] {4, 1, 3, 3}, false, Init.fanIn(9)),
                new TensorSpec("conv.bias", new int[] {4}, false, Init.fanIn(9)),
                new TensorSpec("fc1.weight", new int[] {8, 36}, false, Init.fanIn(36)),
                new TensorSpec("fc1.bias", new int[] {8}, false, Init.fanIn(36)),
                new TensorSpec("fc2.weight", new int[] {3, 8}, false, Init.fanIn(8)),
                new TensorSpec("fc2.bias", new int[] {3}, false, Init.fanIn(8))), 5);
    }

    @Test
    void theBoundaryIsTheLastCutBeforeAnythingTrains() {
        assertEquals(Optional.of("flat"), GraphCut.frozenBoundary(graph("conv.weight", "conv.bias")));
        assertEquals(Optional.empty(), GraphCut.frozenBoundary(graph()));
        NetworkGraph head = GraphCut.after(graph("conv.weight", "conv.bias"), "flat");
        assertEquals(Shape.of(36), head.input());
        assertEquals(List.of("input"), head.layers().getFirst().inputs());
        assertEquals(3, head.layers().size());
        assertThrows(IllegalArgumentException.class, () -> GraphCut.after(graph(), "nope"));
    }

    /** A residual head reads the cut twice (as its input and as the shortcut): both become the head's input. */
    @Test
    void theHeadsResidualReadsOfTheCutBecomeItsInput() {
        Shape in = Shape.of(1, 2, 2);
        Shape map = Shape.of(2, 2, 2);
        Layer[] layers = {
            new Layer.Conv2d("stem", NetworkGraph.INPUT, in, map, Window.kernel(1), 1, "stem.weight", null, List.of()),
            new Layer.Activation("branch", "stem", map, Activation.RELU, 0),
            new Layer.Add("sum", "branch", "stem", map),
            new Layer.Concat("both", List.of("stem", "sum"), List.of(map, map), Shape.of(4, 2, 2))};
        NetworkGraph.Builder b = NetworkGraph.builder(in, 16, 16);
        for (int i = 0; i < layers.length; i++) {
            b.add(i % 2, layers[i]);
        }
        NetworkGraph head = GraphCut.after(b.frozen("stem.weight").build(), "stem");
        assertEquals(List.of("input"), head.layer("branch").inputs());
        assertEquals(List.of("branch", "input"), head.layer("sum").inputs());
        assertEquals(List.of("input", "sum"), head.layer("both").inputs());
        assertEquals(Optional.of("stem"), GraphCut.frozenBoundary(b.frozen("stem.weight").build()));
    }

    /**
     * The head on cached features computes the whole network's logits (the features on the fast inference
     * path, the network on the training path's eval mode), and training it alone learns the data while the
     * frozen convolution stays as it was.
     */
    @Test
    void theHeadOnCachedFeaturesIsTheNetworkAndLearns() {
        NetworkGraph graph = graph("conv.weight", "conv.bias");
        Parameters p = parameters();
        Dataset data = TrainerTest.bars(48, 1);
        Augmentation none = Augmentation.none(INPUT);
        float[] conv = p.get("conv.weight").clone();
        Dataset features = FeatureCache.features(graph, "flat", p, data, none, 8, 2);
        assertArrayEquals(conv, p.get("conv.weight"), "computing the features leaves the weights as they are");
        assertEquals(48, features.size());
        assertEquals(Shape.of(36), features.sampleShape());

        NetworkGraph head = GraphCut.after(graph, "flat");
        float[] images = new float[8 * 36];
        float[] cached = new float[8 * 36];
        int[] labels = new int[8];
        for (int i = 0; i < 8; i++) {
            data.read(i, images, i * 36);
            features.read(i, cached, i * 36);
            labels[i] = data.label(i);
            assertEquals(labels[i], features.label(i));
        }
        try (TrainingSession whole = TrainingPlanner.session(graph, p, 8, 1); TrainingSession top = TrainingPlanner.session(head, p, 8, 1)) {
            assertArrayEquals(whole.evaluate(images), top.evaluate(cached), 1e-5f);
        }

        try (TrainingSession top = TrainingPlanner.session(head, p, 8, 2)) {
            // only the head's tensors train: weight decay must not reach the convolution the head session does not run
            assertEquals(java.util.Set.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), top.gradients().names());
            Loader loader = new Loader(features, Augmentation.none(Shape.of(36)), 8, true, true, 3);
            List<EpochResult> h = Trainer.builder(top, Sgd.withMomentum(p, top.gradients(), 0.1, 0.9, 1e-3), loader).epochs(15).build().fit();
            assertTrue(h.getLast().trainLoss() < 0.3 * h.getFirst().trainLoss(), h.toString());
            assertTrue(h.getLast().trainTop1() >= 0.95, h.toString());
        }
        assertArrayEquals(conv, p.get("conv.weight"));
    }
}
