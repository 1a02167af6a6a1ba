package dev.fovea.runtime.train;

import static dev.fovea.runtime.train.Graphs.chw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.optim.Adam;
import dev.fovea.runtime.optim.Optimizer;
import dev.fovea.runtime.optim.Sgd;
import dev.fovea.runtime.plan.TrainingPlanner;
import dev.fovea.runtime.weights.Parameters;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Training as a whole: repeatable to the bit, able to fit a small batch, frozen tensors left alone. */
class TrainingTest {
    private static final String IN = NetworkGraph.INPUT;
    private static final Shape INPUT = chw(3, 12, 12);

    /** A small residual network with batch norm, max pooling, dropout and a final softmax. */
    static NetworkGraph network(String... frozen) {
        Shape a = chw(16, 12, 12);
        Shape b = chw(16, 6, 6);
        NetworkGraph g = Graphs.of(INPUT,
                new Layer.Conv2d("conv1", IN, INPUT, a, Window.kernel(3).pad(1), 1, "conv1.weight", null, List.of()),
                new Layer.BatchNorm("bn1", "conv1", a, "bn1", 1e-5, 0.1),
                new Layer.Activation("relu1", "bn1", a, Activation.RELU, 0),
                new Layer.Pool2d("pool", "relu1", a, b, PoolKind.MAX, Window.kernel(2).stride(2), false, false),
                new Layer.Conv2d("conv2", "pool", b, b, Window.kernel(3).pad(1), 1, "conv2.weight", null, List.of()),
                new Layer.BatchNorm("bn2", "conv2", b, "bn2", 1e-5, 0.1),
                new Layer.Add("res", "bn2", "pool", b),
                new Layer.Activation("relu2", "res", b, Activation.RELU, 0),
                new Layer.AdaptiveAvgPool2d("gap", "relu2", b, chw(16, 1, 1)),
                new Layer.Flatten("flat", "gap", chw(16, 1, 1), new Shape(16)),
                new Layer.Dropout("drop", "flat", new Shape(16), 0.1),
                new Layer.Dense("fc", "drop", new Shape(16), new Shape(4), "fc.weight", "fc.bias", false),
                new Layer.Softmax("prob", "fc", new Shape(4)));
        return frozen.length == 0 ? g : Graphs.frozen(g, frozen);
    }

    static float[] images(int batch, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[batch * (int) INPUT.elements()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return x;
    }

    static Parameters parameters(NetworkGraph graph) {
        return GradientCheck.randomParameters(GradientCheck.specs(graph), new SplittableRandom(5));
    }

    private static float[] train(int steps, int threads) {
        NetworkGraph graph = network();
        Parameters p = parameters(graph);
        try (TrainingSession s = TrainingPlanner.session(graph, p, 8, threads, new TrainingPlanner.Options(9, false))) {
            Optimizer sgd = new Sgd(p, s.gradients(), 0.05, 0.9, 1e-4, true, false);
            for (int i = 0; i < steps; i++) {
                s.step(images(8, i % 3), new int[] {0, 1, 2, 3, 3, 2, 1, 0}, sgd);
            }
        }
        return joined(p);
    }

    /** Every parameter's values one after the other, in the model's order. */
    static float[] joined(Parameters p) {
        float[] all = new float[0];
        for (String name : p.names()) {
            float[] v = p.get(name);
            float[] joined = java.util.Arrays.copyOf(all, all.length + v.length);
            System.arraycopy(v, 0, joined, all.length, v.length);
            all = joined;
        }
        return all;
    }

    @Test
    void twentyStepsRepeatBitForBit() {
        float[] first = train(20, 2);
        float[] second = train(20, 2);
        assertArrayEquals(first, second);
        float[] oneThread = train(20, 1);
        assertEquals(first.length, oneThread.length);
    }

    /**
     * Drop path in a session drops whole samples: with every sample the same, each one's logits are either
     * the dense layer's bias alone (the sample dropped) or those of the input scaled by 1 / (1 - rate); in
     * eval mode, and in training with dropout off, it passes everything. A batch of one drops whole too.
     */
    @Test
    void dropPathDropsWholeSamplesInTraining() {
        Shape in = chw(2, 2, 2);
        NetworkGraph graph = Graphs.of(in, new Layer.Dropout("drop", IN, in, 0.5, true), new Layer.Flatten("flat", "drop", in, new Shape(8)),
                new Layer.Dense("fc", "flat", new Shape(8), new Shape(3), "fc.weight", "fc.bias", false));
        Parameters p = parameters(graph);
        float[] sample = java.util.Arrays.copyOf(images(1, 7), 8);
        for (int batch : new int[] {1, 16}) {
            float[] x = new float[batch * sample.length];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(sample, 0, x, b * sample.length, sample.length);
            }
            float[] kept = new float[3];
            for (int o = 0; o < 3; o++) {
                kept[o] = p.get("fc.bias")[o];
                for (int i = 0; i < 8; i++) {
                    kept[o] += p.get("fc.weight")[o * 8 + i] * sample[i] * 2;
                }
            }
            try (TrainingSession s = TrainingPlanner.session(graph, p, batch, 2)) {
                int dropped = 0;
                int seen = 0;
                for (int step = 0; step < 8; step++) {
                    System.arraycopy(x, 0, s.input(), 0, x.length);
                    s.steps(step);
                    float[] logits = s.forward(true);
                    for (int b = 0; b < batch; b++, seen++) {
                        boolean isDropped = Math.abs(logits[b * 3] - p.get("fc.bias")[0]) < 1e-6;
                        dropped += isDropped ? 1 : 0;
                        for (int o = 0; o < 3; o++) {
                            assertEquals(isDropped ? p.get("fc.bias")[o] : kept[o], logits[b * 3 + o], 1e-5, "step " + step + " sample " + b);
                        }
                    }
                }
                assertTrue(dropped > 0 && dropped < seen, dropped + " of " + seen + " samples dropped");
                s.dropout(false);
                float[] all = s.forward(true);
                assertEquals(kept[0] - (kept[0] - p.get("fc.bias")[0]) / 2, all[0], 1e-5, "dropout off: the input as it is");
            }
        }
    }

    @Test
    void fitsFourSamples() {
        NetworkGraph graph = network();
        Parameters p = parameters(graph);
        float[] x = images(4, 1);
        int[] labels = {2, 0, 3, 1};
        try (TrainingSession s = TrainingPlanner.session(graph, p, 4, 2)) {
            Optimizer adam = Adam.adam(p, s.gradients(), 0.02);
            double first = s.step(x, labels, adam);
            double loss = first;
            for (int i = 0; i < 200; i++) {
                loss = s.step(x, labels, adam);
            }
            assertTrue(first > 1 && loss < 0.1, "loss " + first + " -> " + loss);
            float[] probabilities = s.evaluate(x);
            for (int b = 0; b < 4; b++) {
                assertTrue(probabilities[b * 4 + labels[b]] > 0.5, "sample " + b + " in eval mode");
            }
        }
    }

    /**
     * The activation gradients share arrays by live range and are zeroed just before their first writer,
     * or stored whole by it (batch norm, the ReLUs and the residual addition here), so a second pass over the same batch (no update, dropout off) must give the same gradients as the
     * first, which ran on freshly allocated arrays; leftovers of the first pass would add to them.
     */
    @Test
    void aSecondBackwardPassStartsFromZero() {
        NetworkGraph graph = network();
        Parameters p = parameters(graph);
        float[] x = images(4, 3);
        int[] labels = {1, 3, 0, 2};
        try (TrainingSession s = TrainingPlanner.session(graph, p, 4, 2, new TrainingPlanner.Options(0, true))) {
            s.dropout(false);
            s.forwardBackward(x, labels);
            float[] inputGradient = s.inputGradient().clone();
            java.util.Map<String, float[]> first = new java.util.HashMap<>();
            for (String name : s.gradients().names()) {
                first.put(name, s.gradients().get(name).clone());
            }
            s.forwardBackward(x, labels);
            assertArrayEquals(inputGradient, s.inputGradient(), "the input's gradient");
            for (String name : s.gradients().names()) {
                assertArrayEquals(first.get(name), s.gradients().get(name), name);
            }
        }
    }

    @Test
    void frozenTensorsGetNoGradientAndDoNotMove() {
        NetworkGraph graph = network("conv1.weight", "bn1.weight", "bn1.bias");
        Parameters p = parameters(graph);
        float[] before = p.get("conv1.weight").clone();
        float[] mean = p.get("bn1.running_mean").clone();
        float[] variance = p.get("bn1.running_var").clone();
        float[] trainedMean = p.get("bn2.running_mean").clone();
        try (TrainingSession s = TrainingPlanner.session(graph, p, 4, 2)) {
            assertFalse(s.gradients().has("conv1.weight"));
            assertTrue(s.gradients().has("conv2.weight"));
            Optimizer sgd = Sgd.withMomentum(p, s.gradients(), 0.1, 0.9, 0);
            s.step(images(4, 2), new int[] {0, 1, 2, 3}, sgd);
        }
        assertArrayEquals(before, p.get("conv1.weight"));
        // a frozen norm keeps its statistics; a trained one moves them
        assertArrayEquals(mean, p.get("bn1.running_mean"));
        assertArrayEquals(variance, p.get("bn1.running_var"));
        assertFalse(java.util.Arrays.equals(trainedMean, p.get("bn2.running_mean")));
    }

    @Test
    void batchNormMovesItsRunningStatisticsAsPyTorch() {
        Shape s = new Shape(3);
        NetworkGraph graph = Graphs.of(s, new Layer.BatchNorm("bn", IN, s, "bn", 1e-5, 0.1),
                new Layer.Dense("fc", "bn", s, new Shape(2), "fc.weight", null, false));
        Parameters p = parameters(graph);
        java.util.Arrays.fill(p.get("bn.running_mean"), 0);
        java.util.Arrays.fill(p.get("bn.running_var"), 1);
        try (TrainingSession session = TrainingPlanner.session(graph, p, 4, 1)) {
            session.forwardBackward(new float[] {1, 0, 2, 3, 0, 2, 5, 0, 2, 7, 0, 2}, new int[] {0, 1, 0, 1});
        }
        // channel 0 holds 1, 3, 5, 7: mean 4, unbiased variance 20/3
        assertEquals(0.4, p.get("bn.running_mean")[0], 1e-6);
        assertEquals(0.9 + 0.1 * 20 / 3.0, p.get("bn.running_var")[0], 1e-5);
        assertEquals(0.9, p.get("bn.running_var")[1], 1e-6);
    }

    @Test
    void wrongBatchesAreRefused() {
        NetworkGraph graph = network();
        try (TrainingSession s = TrainingPlanner.session(graph, parameters(graph), 4, 1)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> s.forwardBackward(new float[3], new int[4])).getMessage()
                    .contains("a batch of 4 inputs of 3x12x12 has 1728 values, not 3"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> s.forwardBackward(images(4, 0), new int[] {0, 1, 9, 2}))
                    .getMessage().contains("label 9 of sample 2 is not one of the 4 classes"));
        }
    }
}
