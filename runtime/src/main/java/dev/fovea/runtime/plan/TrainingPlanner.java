package dev.fovea.runtime.plan;

import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.train.TrainingSessions;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.weights.Parameters;

/**
 * The training planner: turns a {@link NetworkGraph} into a {@link TrainingSession}, unfused: every layer
 * keeps its output for the backward pass (activations such as ReLU over their input's, when nothing else
 * reads it), and a gradient exists only where some trainable layer lies before it (the backward pass
 * stops there), in buffers shared by live range ({@link GradientBufferPlan}).
 */
public final class TrainingPlanner {
    private TrainingPlanner() {}

    /** A session that trains {@code parameters} in place, seeded with 0 for dropout. */
    public static TrainingSession session(NetworkGraph graph, Parameters parameters, int batch, int threads) {
        return session(graph, parameters, batch, threads, Options.DEFAULT);
    }

    public static TrainingSession session(NetworkGraph graph, Parameters parameters, int batch, int threads, Options options) {
        return TrainingSessions.plan(graph, parameters, batch, threads, options.seed(), options.inputGradient());
    }

    /** {@code seed} drives dropout; {@code inputGradient} also computes the gradient of the network's input. */
    public record Options(long seed, boolean inputGradient) {
        public static final Options DEFAULT = new Options(0, false);
    }
}
