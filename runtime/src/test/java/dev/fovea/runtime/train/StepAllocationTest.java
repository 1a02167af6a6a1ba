package dev.fovea.runtime.train;

import static dev.fovea.runtime.train.Graphs.chw;
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
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A compiled training step allocates nothing, by construction: the runtime's build runs this class in a
 * JVM of its own with escape analysis off, so an object the compiler would usually keep off the heap (an
 * iterator over a list of layers, a map's value iterator: 32 bytes each) is counted too. With it on, such
 * an object stays on the heap whenever a call site has seen too many types to inline, which depends on what
 * else the JVM has run; a step must not depend on that.
 */
class StepAllocationTest {
    /**
     * Once compiled, a step allocates nothing: every layer's parallel work is built with the session and
     * reads its arrays from fields, and the per-step loops run over arrays. At batch 16 the convolutions run
     * in lanes, at batch 4 as products; a network without batch norm at batch 32 trains in two parts; at
     * batch 17, a stem like ResNet's, whose 3x3 max pool of stride 2 gathers its windows a vector at a time. Each session warms up until the compiler has taken the step's paths,
     * then 400 steps are counted, three times: the count is of every thread in the JVM, so the fewest of the
     * three leaves out what another thread (the test runner's, a cleaner) happened to allocate meanwhile. A
     * step still allocating then (code still being replaced) warms up and is counted again, up to eight rounds.
     */
    @Test
    void aCompiledStepAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int batch : new int[] {16, 4, 32, 17}) {
            NetworkGraph graph = batch == 32 ? BatchPartsTest.lenetLike() : batch == 17 ? stemLike() : TrainingTest.network();
            Parameters p = TrainingTest.parameters(graph);
            java.util.SplittableRandom random = new java.util.SplittableRandom(3);
            float[] x = new float[batch * (int) graph.input().elements()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextDouble(-1, 1);
            }
            int[] labels = new int[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = i % 4;
            }
            try (TrainingSession s = TrainingPlanner.session(graph, p, batch, 2, new TrainingPlanner.Options(9, false))) {
                Optimizer sgd = new Sgd(p, s.gradients(), 0.01, 0.9, 1e-4, true, false);
                long perStep = Long.MAX_VALUE;
                for (int round = 0; round < 8 && perStep >= 32; round++) {
                    for (int i = 0; i < 4000; i++) {
                        s.step(x, labels, sgd);
                    }
                    for (int window = 0; window < 3; window++) {
                        long before = threads.getTotalThreadAllocatedBytes();
                        for (int i = 0; i < 400; i++) {
                            s.step(x, labels, sgd);
                        }
                        perStep = Math.min(perStep, (threads.getTotalThreadAllocatedBytes() - before) / 400);
                    }
                }
                assertTrue(perStep < 32, "batch " + batch + ": " + perStep + " bytes allocated per step after 8 rounds of warm-up");
            }
        }
    }

    /** ResNet's stem at a small size: a 3x3 convolution, batch norm, ReLU, then the 3x3 max pool of stride 2 on 40x40 maps. */
    private static NetworkGraph stemLike() {
        Shape input = chw(3, 40, 40);
        Shape a = chw(8, 40, 40);
        Shape b = chw(8, 20, 20);
        String in = NetworkGraph.INPUT;
        return Graphs.of(input,
                new Layer.Conv2d("conv1", in, input, a, Window.kernel(3).pad(1), 1, "conv1.weight", null, List.of()),
                new Layer.BatchNorm("bn1", "conv1", a, "bn1", 1e-5, 0.1),
                new Layer.Activation("relu1", "bn1", a, Activation.RELU, 0),
                new Layer.Pool2d("pool", "relu1", a, b, PoolKind.MAX, Window.kernel(3).stride(2).pad(1), false, false),
                new Layer.AdaptiveAvgPool2d("gap", "pool", b, chw(8, 1, 1)),
                new Layer.Flatten("flat", "gap", chw(8, 1, 1), new Shape(8)),
                new Layer.Dense("fc", "flat", new Shape(8), new Shape(4), "fc.weight", "fc.bias", false));
    }
}
