package dev.fovea.runtime.fit;

import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.optim.Optimizer;
import dev.fovea.runtime.train.TrainingSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Progressive unfreezing: frozen tensors that start training at given epochs (ULMFiT's and the seeds'
 * "then unfreeze more layers"). A session's frozen tensors get no gradient, so the trainer plans a new
 * session from {@code graph} when a stage begins, with the same parameters, batch, threads and loss, and
 * makes its optimiser with {@code optimizers}; the tensors that trained before keep their optimiser state.
 *
 * @param graph      the network the session was planned from (a model's {@code GRAPH})
 * @param stages     by epoch (counted from 0), the tensors that train from that epoch on
 * @param optimizers the optimiser for a new session: the same kind and settings as the first
 */
public record Unfreezing(NetworkGraph graph, Map<Integer, List<String>> stages, Function<TrainingSession, Optimizer> optimizers) {
    public Unfreezing {
        stages = new TreeMap<>(stages);
        for (Map.Entry<Integer, List<String>> e : stages.entrySet()) {
            if (e.getKey() < 0) {
                throw new IllegalArgumentException("unfreezing counts epochs from 0, not " + e.getKey());
            }
            for (String t : e.getValue()) {
                if (!graph.isFrozen(t)) {
                    throw new IllegalArgumentException("unfreezing " + t + " at epoch " + e.getKey() + ": it is not a frozen tensor");
                }
            }
        }
    }

    /** The graph as it trains in {@code epoch}: every stage up to it unfrozen. */
    NetworkGraph at(int epoch) {
        List<String> unfrozen = new ArrayList<>();
        stages.forEach((start, tensors) -> {
            if (start <= epoch) {
                unfrozen.addAll(tensors);
            }
        });
        return graph.unfreezing(unfrozen);
    }
}
