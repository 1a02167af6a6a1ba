package dev.fovea.processor.infer;

import dev.fovea.processor.diag.Problems;
import dev.fovea.processor.graph.Graph;
import dev.fovea.processor.graph.Node;
import dev.fovea.processor.graph.Op;
import dev.fovea.runtime.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Infers every layer's output shape in execution order. A layer whose input is unknown (because an
 * earlier layer failed) is skipped silently, so each mistake is reported once, where it is made.
 */
public final class ShapeInference {
    private ShapeInference() {}

    /** The resolved graph, or empty when any layer failed (the problems say why). */
    public static Optional<Inferred> run(Graph graph, Set<Integer> invalid, Problems problems) {
        Resolved[] resolved = new Resolved[graph.nodes().size()];
        boolean complete = invalid.isEmpty();
        for (Node node : graph.nodes()) {
            if (node.op() instanceof Op.Input in) {
                Shape shape = Shape.of(in.dims().stream().mapToInt(Integer::intValue).toArray());
                resolved[node.id()] = new Resolved(node, in, List.of(), shape);
                continue;
            }
            List<Shape> inputs = new ArrayList<>();
            for (int id : node.inputs()) {
                if (resolved[id] != null) {
                    inputs.add(resolved[id].output());
                }
            }
            if (invalid.contains(node.id()) || inputs.size() != node.inputs().size()) {
                complete = false;
                continue;
            }
            LayerCheck check = new LayerCheck(node, inputs, graph, Arrays.asList(resolved), problems);
            Optional<Resolved> r = ShapeRules.apply(check);
            r.ifPresent(value -> resolved[node.id()] = value);
            if (r.isEmpty() || check.failed()) {
                complete = false;
            }
        }
        return complete ? Optional.of(new Inferred(graph, Arrays.asList(resolved))) : Optional.empty();
    }
}
