package dev.fovea.runtime.graph;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A network cut in two at a layer whose output is all the later layers read: the part up to it, and the
 * part after it as a network of its own whose input is that output. Feature extraction runs the frozen
 * part once per image and trains the rest on what it computed.
 */
public final class GraphCut {
    private GraphCut() {}

    /**
     * The last layer up to which nothing trains (every tensor frozen, or none) and nothing is random in
     * training (dropout), and after which nothing reads an earlier layer or the input: where the frozen,
     * deterministic part of a fine-tuned network ends.
     */
    public static Optional<String> frozenBoundary(NetworkGraph graph) {
        List<Layer> layers = graph.layers();
        String boundary = null;
        for (int i = 0; i < layers.size() - 1; i++) {
            Layer l = layers.get(i);
            if (l instanceof Layer.Dropout || l.parameters().stream().anyMatch(t -> !graph.isFrozen(t))) {
                break;
            }
            if (isCut(graph, i)) {
                boundary = layers.get(i).name();
            }
        }
        return Optional.ofNullable(boundary);
    }

    /** The layers up to {@code boundary} (inclusive): a network whose output is the boundary's. */
    public static NetworkGraph upTo(NetworkGraph graph, String boundary) {
        int end = graph.indexOf(boundary);
        NetworkGraph.Builder b = NetworkGraph.builder(graph.input(), graph.bufferFloats());
        for (int i = 0; i <= end; i++) {
            b.add(graph.outputBuffer(i), graph.layers().get(i));
        }
        return b.frozen(graph.frozen().stream().filter(t -> owns(graph, end, t)).toArray(String[]::new)).build();
    }

    /** The layers after {@code boundary}, reading its output as their input; {@code boundary} must be a cut. */
    public static NetworkGraph after(NetworkGraph graph, String boundary) {
        int end = graph.indexOf(boundary);
        if (!isCut(graph, end)) {
            throw new IllegalArgumentException("layers after " + boundary + " read layers before it: the network cannot be cut there");
        }
        NetworkGraph.Builder b = NetworkGraph.builder(graph.layers().get(end).output(), graph.bufferFloats());
        for (int i = end + 1; i < graph.layers().size(); i++) {
            b.add(graph.outputBuffer(i), reading(graph.layers().get(i), boundary, NetworkGraph.INPUT));
        }
        return b.frozen(graph.frozen().stream().filter(t -> !owns(graph, end, t)).toArray(String[]::new)).build();
    }

    /** Whether no layer after {@code i} reads the input or a layer before {@code i}. */
    private static boolean isCut(NetworkGraph graph, int i) {
        for (int j = i + 1; j < graph.layers().size(); j++) {
            for (String in : graph.layers().get(j).inputs()) {
                if (graph.indexOf(in) < i) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean owns(NetworkGraph graph, int end, String tensor) {
        for (int i = 0; i <= end; i++) {
            if (graph.layers().get(i).parameters().contains(tensor)) {
                return true;
            }
        }
        return false;
    }

    /** The record components of {@link Layer}s that name the layers they read. */
    private static final Set<String> INPUT_COMPONENTS = Set.of("input", "shortcut", "gates", "inputs");

    /**
     * {@code layer} with every input named {@code from} renamed {@code to}: the record rebuilt component by
     * component (a layer type with an input component of another name fails the graph's own check loudly).
     */
    static Layer reading(Layer layer, String from, String to) {
        try {
            RecordComponent[] components = layer.getClass().getRecordComponents();
            Object[] values = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int c = 0; c < components.length; c++) {
                Object v = components[c].getAccessor().invoke(layer);
                boolean isInput = INPUT_COMPONENTS.contains(components[c].getName());
                if (isInput && from.equals(v)) {
                    v = to;
                } else if (isInput && v instanceof List<?> list) {
                    List<Object> renamed = new ArrayList<>();
                    list.forEach(x -> renamed.add(from.equals(x) ? to : x));
                    v = List.copyOf(renamed);
                }
                values[c] = v;
                types[c] = components[c].getType();
            }
            Constructor<?> canonical = layer.getClass().getDeclaredConstructor(types);
            return (Layer) canonical.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot rebuild layer " + layer.name(), e);
        }
    }
}
