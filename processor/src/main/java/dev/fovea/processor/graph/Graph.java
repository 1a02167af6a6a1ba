package dev.fovea.processor.graph;

import java.util.List;
import java.util.Map;

/**
 * A network expanded to its layers, in execution order: node 0 is the input, every node's inputs come
 * before it, and {@code output} is the last layer. {@code taps} maps each {@code @Tap} name to its node.
 */
public record Graph(String name, List<Node> nodes, int output, Map<String, Integer> taps) {
    public Graph {
        nodes = List.copyOf(nodes);
        taps = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(taps));
    }

    public Node node(int id) {
        return nodes.get(id);
    }
}
