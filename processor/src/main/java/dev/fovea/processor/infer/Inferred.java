package dev.fovea.processor.infer;

import dev.fovea.processor.graph.Graph;
import java.util.List;

/** Every layer of a graph with its shapes, in execution order; complete only when every node was resolved. */
public record Inferred(Graph graph, List<Resolved> layers) {
    public Inferred {
        layers = List.copyOf(layers);
    }

    public Resolved layer(int id) {
        return layers.get(id);
    }

    public Resolved output() {
        return layers.get(graph.output());
    }
}
