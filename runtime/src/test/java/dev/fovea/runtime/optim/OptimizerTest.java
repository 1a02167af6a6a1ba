package dev.fovea.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.plan.TrainingPlanner;
import dev.fovea.runtime.train.Gradients;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Three steps of each optimiser on one tensor, against the values PyTorch 1.13's optimisers give for the
 * same gradients (torch.optim.SGD, Adam, AdamW; weight decay 0.1).
 */
class OptimizerTest {
    private static final float[][] GRADIENTS = {{0.5f, 0.25f, -1}, {-0.3f, 0.1f, 0.2f}, {0.05f, -0.4f, 0.7f}};

    private static float[] run(BiFunction<Parameters, Gradients, Optimizer> make) {
        Shape s = new Shape(3);
        NetworkGraph graph = NetworkGraph.builder(s, 3).add(0, new Layer.LayerScale("w", NetworkGraph.INPUT, s, "w")).build();
        Parameters p = new Parameters(List.of(new TensorSpec("w", new int[] {3}, false)));
        p.set("w", new int[] {3}, new float[] {1, -2, 0.5f});
        try (TrainingSession session = TrainingPlanner.session(graph, p, 1, 1)) {
            Optimizer o = make.apply(p, session.gradients());
            for (float[] g : GRADIENTS) {
                System.arraycopy(g, 0, session.gradients().get("w"), 0, 3);
                o.step();
            }
            assertEquals(3, o.steps());
        }
        return p.get("w");
    }

    @Test
    void sgdWithNesterovMomentum() {
        assertArrayEquals(new float[] {0.8247756f, -1.8759445f, 0.6076395f}, run((p, g) -> new Sgd(p, g, 0.1, 0.9, 0.1, true, true)), 1e-6f);
        assertArrayEquals(new float[] {0.8624740f, -1.9344606f, 0.6315995f}, run((p, g) -> Sgd.withMomentum(p, g, 0.1, 0.9, 0.1)), 1e-6f);
    }

    @Test
    void adamAndAdamW() {
        assertArrayEquals(new float[] {0.9815486f, -1.9994966f, 0.5135022f},
                run((p, g) -> new Adam(p, g, 0.01, 0.9, 0.999, 1e-8, 0.1, false, true)), 1e-6f);
        assertArrayEquals(new float[] {0.9830889f, -2.0115385f, 0.5132250f},
                run((p, g) -> new Adam(p, g, 0.01, 0.9, 0.999, 1e-8, 0.1, true, true)), 1e-6f);
    }

    /** A tensor's own rate (PyTorch's parameter groups): the base rate times 10 steps as the rate 10 times larger does. */
    @Test
    void aTensorsScaledRateStepsAsThatRateWould() {
        assertArrayEquals(run((p, g) -> Sgd.withMomentum(p, g, 0.1, 0.9, 0.1)), run((p, g) -> {
            Sgd sgd = Sgd.withMomentum(p, g, 0.01, 0.9, 0.1);
            sgd.scaleRate(List.of("w"), 10);
            return sgd;
        }), 1e-6f);
        assertArrayEquals(run((p, g) -> Adam.adamW(p, g, 0.01)), run((p, g) -> {
            Adam adam = Adam.adamW(p, g, 0.001);
            adam.scaleRate(List.of("w"), 10);
            return adam;
        }), 1e-6f);
        float[] still = run((p, g) -> {
            Sgd sgd = Sgd.withMomentum(p, g, 0.1, 0.9, 0.1);
            sgd.scaleRate(List.of("w"), 0);
            return sgd;
        });
        assertArrayEquals(new float[] {1, -2, 0.5f}, still);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run((p, g) -> {
            Sgd sgd = Sgd.withMomentum(p, g, 0.1, 0.9, 0.1);
            sgd.scaleRate(List.of("fc.weight"), 0.1);
            return sgd;
        }));
        assertEquals("1 tensors are not trained (frozen, buffers or not the model's), first fc.weight", e.getMessage());
    }

    @Test
    void stateRestoresExactly() {
        float[] straight = run((p, g) -> Adam.adamW(p, g, 0.01));
        assertEquals(3, straight.length);
        Shape s = new Shape(3);
        NetworkGraph graph = NetworkGraph.builder(s, 3).add(0, new Layer.LayerScale("w", NetworkGraph.INPUT, s, "w")).build();
        Parameters p = new Parameters(List.of(new TensorSpec("w", new int[] {3}, false)));
        p.set("w", new int[] {3}, new float[] {1, -2, 0.5f});
        try (TrainingSession session = TrainingPlanner.session(graph, p, 1, 1)) {
            Optimizer first = Adam.adamW(p, session.gradients(), 0.01);
            System.arraycopy(GRADIENTS[0], 0, session.gradients().get("w"), 0, 3);
            first.step();
            Optimizer resumed = Adam.adamW(p, session.gradients(), 0.01);
            resumed.loadState(first.state());
            for (int i = 1; i < 3; i++) {
                System.arraycopy(GRADIENTS[i], 0, session.gradients().get("w"), 0, 3);
                resumed.step();
            }
        }
        assertArrayEquals(straight, p.get("w"));
    }

    @Test
    void schedules() {
        assertEquals(0.1, Schedule.step(0.1, 30, 0.1).at(29), 1e-12);
        assertEquals(0.01, Schedule.step(0.1, 30, 0.1).at(30), 1e-12);
        assertEquals(0.001, Schedule.multiStep(0.1, 0.1, 100, 50).at(120), 1e-12);
        assertEquals(0.05, Schedule.cosine(0.1, 100, 0).at(50), 1e-12);
        assertEquals(0.0, Schedule.cosine(0.1, 100, 0).at(100), 1e-12);
        assertEquals(0.025, Schedule.constant(0.1).withWarmup(4).at(0), 1e-12);
        Schedule oneCycle = Schedule.oneCycle(1.0, 100, 0.3);
        assertEquals(0.04, oneCycle.at(0), 1e-12);
        assertEquals(1.0, oneCycle.at(29), 1e-12);
        assertEquals(0.04 / 1e4, oneCycle.at(99), 1e-12);
    }
}
