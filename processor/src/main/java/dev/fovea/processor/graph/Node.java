package dev.fovea.processor.graph;

import dev.fovea.processor.model.AnnotationUse;
import java.util.List;

/**
 * One layer of the expanded network. {@code name} is its path in Java names ({@code layer1.0.conv1});
 * {@code paramName} is the state-dict prefix of its parameters ({@code layer1.0.conv1}) or empty.
 * {@code source} is the annotation it came from (for diagnostics); {@code context} the block instances,
 * outermost first. A {@code frozen} node's parameters are not trained.
 */
public record Node(int id, String name, Op op, List<Integer> inputs, String paramName, AnnotationUse source,
        List<Frame> context, boolean frozen) {
    public Node {
        inputs = List.copyOf(inputs);
        context = List.copyOf(context);
    }
}
