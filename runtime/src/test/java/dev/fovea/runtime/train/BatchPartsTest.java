package dev.fovea.runtime.train;

import static dev.fovea.runtime.train.Graphs.chw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.optim.Optimizer;
import dev.fovea.runtime.optim.Sgd;
import dev.fovea.runtime.plan.TrainingPlanner;
import dev.fovea.runtime.weights.Parameters;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A small network's batch trained as parts on one thread each: exact against the float64 oracle, the
 * same bits for any thread count, and only where the samples of a batch do not meet.
 */
class BatchPartsTest {
    private static final String IN = NetworkGraph.INPUT;
    private static final Shape INPUT = chw(1, 16, 16);

    /** LeNet's shape on 16 x 16: two 5x5 and 3x3 convolutions with ReLU and 2x2 max pooling, then three dense layers. */
    static NetworkGraph lenetLike() {
        Shape c1 = chw(6, 12, 12);
        Shape p1 = chw(6, 6, 6);
        Shape c2 = chw(8, 4, 4);
        Shape p2 = chw(8, 2, 2);
        return Graphs.of(INPUT,
                new Layer.Conv2d("conv1", IN, INPUT, c1, Window.kernel(5), 1, "conv1.weight", "conv1.bias", List.of()),
                new Layer.Activation("relu1", "conv1", c1, Activation.RELU, 0),
                new Layer.Pool2d("pool1", "relu1", c1, p1, PoolKind.MAX, Window.kernel(2).stride(2), false, false),
                new Layer.Conv2d("conv2", "pool1", p1, c2, Window.kernel(3), 1, "conv2.weight", "conv2.bias", List.of()),
                new Layer.Activation("relu2", "conv2", c2, Activation.RELU, 0),
                new Layer.Pool2d("pool2", "relu2", c2, p2, PoolKind.MAX, Window.kernel(2).stride(2), false, false),
                new Layer.Flatten("flat", "pool2", p2, new Shape(32)),
                new Layer.Dense("fc1", "flat", new Shape(32), new Shape(12), "fc1.weight", "fc1.bias", false),
                new Layer.Activation("relu3", "fc1", new Shape(12), Activation.RELU, 0),
                new Layer.Dense("fc2", "relu3", new Shape(12), new Shape(4), "fc2.weight", "fc2.bias", false));
    }

    private static float[] images(int batch, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[batch * (int) INPUT.elements()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return x;
    }

    private static int[] labels(int batch) {
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = (i * 7) % 4;
        }
        return labels;
    }

    @Test
    void aBatchIsCutIntoPartsOfAtMostSixteenAsEvenlyAsItGoes() {
        assertEquals(4, BatchParts.count(64));
        assertEquals(3, BatchParts.count(40));
        int[] sizes = {BatchParts.size(40, 0), BatchParts.size(40, 1), BatchParts.size(40, 2)};
        assertArrayEquals(new int[] {14, 13, 13}, sizes);
        assertEquals(5, BatchParts.count(70));
        for (int k = 0; k < 5; k++) {
            assertEquals(14, BatchParts.size(70, k));
        }
    }

    /** The gradients of every tensor, from parts of 14, 13 and 13 samples, against central differences of the float64 network. */
    @Test
    void gradientsOfPartsMatchFiniteDifferences() {
        NetworkGraph graph = lenetLike();
        try (TrainingSession s = TrainingPlanner.session(graph, TrainingTest.parameters(graph), 40, 2)) {
            assertEquals(3, s.batchParts());
        }
        GradientCheck.check(graph, 40, 11, false);
    }

    /** The mean cross-entropy and the logits of a step in parts, against the float64 network on the whole batch. */
    @Test
    void theLossIsTheWholeBatchs() {
        NetworkGraph graph = lenetLike();
        Parameters p = GradientCheck.randomParameters(GradientCheck.specs(graph), new SplittableRandom(3));
        int batch = 48;
        float[] x = images(batch, 4);
        int[] labels = labels(batch);
        try (TrainingSession s = TrainingPlanner.session(graph, p, batch, 2)) {
            double loss = s.forwardBackward(x, labels);
            Map<String, double[]> p64 = new HashMap<>();
            for (String name : p.names()) {
                p64.put(name, GradientCheck.toDouble(p.get(name)));
            }
            double[] logits = new Float64Network(graph, batch).logits(GradientCheck.toDouble(x), p64);
            GradientCheck.compare("logits", GradientCheck.toDouble(s.logits()), logits, 1e-5);
            double expected = 0;
            for (int b = 0; b < batch; b++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < 4; k++) {
                    max = Math.max(max, logits[b * 4 + k]);
                }
                double sum = 0;
                for (int k = 0; k < 4; k++) {
                    sum += Math.exp(logits[b * 4 + k] - max);
                }
                expected += max + Math.log(sum) - logits[b * 4 + labels[b]];
            }
            assertEquals(expected / batch, loss, 1e-5 * Math.abs(expected / batch));
            float[] eval = s.evaluate(x);
            GradientCheck.compare("eval", GradientCheck.toDouble(eval), logits, 1e-5);
        }
    }

    private static float[] train(int threads) {
        NetworkGraph graph = lenetLike();
        Parameters p = TrainingTest.parameters(graph);
        try (TrainingSession s = TrainingPlanner.session(graph, p, 64, threads)) {
            assertEquals(4, s.batchParts());
            Optimizer sgd = new Sgd(p, s.gradients(), 0.05, 0.9, 1e-4, true, false);
            for (int i = 0; i < 12; i++) {
                s.step(images(64, i % 3), labels(64), sgd);
            }
        }
        return TrainingTest.joined(p);
    }

    /** The parts follow from the batch alone: one, two or three threads train the same bits. */
    @Test
    void anyThreadCountTrainsTheSameBits() {
        float[] two = train(2);
        assertArrayEquals(two, train(1));
        assertArrayEquals(two, train(3));
    }

    /** Batch norm's statistics and dropout's masks span the batch; a batch of fewer than two parts has nothing to gain. */
    @Test
    void onlyNetworksWhoseSamplesDoNotMeetTrainInParts() {
        NetworkGraph withNorm = TrainingTest.network();
        try (TrainingSession s = TrainingPlanner.session(withNorm, TrainingTest.parameters(withNorm), 64, 2)) {
            assertEquals(1, s.batchParts());
        }
        NetworkGraph lenet = lenetLike();
        try (TrainingSession s = TrainingPlanner.session(lenet, TrainingTest.parameters(lenet), 31, 2)) {
            assertEquals(1, s.batchParts());
        }
        try (TrainingSession s = TrainingPlanner.session(lenet, TrainingTest.parameters(lenet), 64, 2,
                new TrainingPlanner.Options(0, true))) {
            assertEquals(1, s.batchParts(), "a session asked for the input's gradient runs whole");
        }
    }

    /** A diverged step in parts still names the first layer whose output is not finite. */
    @Test
    void aNonFiniteOutputIsNamed() {
        NetworkGraph graph = lenetLike();
        Parameters p = TrainingTest.parameters(graph);
        java.util.Arrays.fill(p.get("conv1.weight"), 1f);
        float[] x = images(32, 1);
        int sample = (int) INPUT.elements();
        java.util.Arrays.fill(x, x.length - sample, x.length, Float.MAX_VALUE); // the second part's last sample overflows in conv1
        try (TrainingSession s = TrainingPlanner.session(graph, p, 32, 2)) {
            assertEquals(2, s.batchParts());
            double loss = s.forwardBackward(x, labels(32));
            assertTrue(!Double.isFinite(loss), "loss " + loss);
            assertTrue(s.firstNonFinite().startsWith("the output of layer conv1 "), s.firstNonFinite());
        }
    }
}
