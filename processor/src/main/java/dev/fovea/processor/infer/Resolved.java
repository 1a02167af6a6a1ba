package dev.fovea.processor.infer;

import dev.fovea.processor.graph.Node;
import dev.fovea.processor.graph.Op;
import dev.fovea.runtime.Shape;
import java.util.List;

/** A node with its shapes known and its op made explicit (depthwise channels, "same" padding, projections). */
public record Resolved(Node node, Op op, List<Shape> inputs, Shape output) {
    public Resolved {
        inputs = List.copyOf(inputs);
    }

    public Shape input() {
        return inputs.getFirst();
    }
}
