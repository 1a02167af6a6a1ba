package dev.fovea.processor.graph;

import dev.fovea.processor.model.AnnotationUse;
import dev.fovea.processor.model.SourceRef;
import java.util.ArrayList;
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

    /** {@code ref}, then the block uses that lead to this node, innermost first: where a diagnostic about it is printed. */
    public List<SourceRef> withUseSites(SourceRef ref) {
        List<SourceRef> refs = new ArrayList<>();
        refs.add(ref);
        for (Frame f : context.reversed()) {
            refs.add(f.useSite());
        }
        return refs;
    }
}
