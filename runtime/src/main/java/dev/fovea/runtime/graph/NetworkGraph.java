package dev.fovea.runtime.graph;

import dev.fovea.runtime.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network as typed, validated layers in execution order, with the compiler's inference buffer plan:
 * which activation buffer holds each layer's output, and each buffer's size for one sample. The last
 * layer's output is the network's. Planners (inference, training) read it; nothing here runs.
 */
public final class NetworkGraph {
    /** The name layers use for the network's input. */
    public static final String INPUT = "input";

    private final Shape input;
    private final List<Layer> layers;
    private final int[] outputBuffer;
    private final int[] bufferFloats;
    private final Set<String> frozen;
    private final Map<String, Integer> index;

    private NetworkGraph(Shape input, List<Layer> layers, int[] outputBuffer, int[] bufferFloats, Set<String> frozen,
            Map<String, Integer> index) {
        this.input = input;
        this.layers = List.copyOf(layers);
        this.outputBuffer = outputBuffer;
        this.bufferFloats = bufferFloats;
        this.frozen = Set.copyOf(frozen);
        this.index = Map.copyOf(index);
    }

    /** {@code bufferFloats}: each inference buffer's size for one sample. */
    public static Builder builder(Shape input, int... bufferFloats) {
        return new Builder(input, bufferFloats);
    }

    /**
     * The layers in order, each writing a buffer of its own (no buffer reused): the plain plan of a graph
     * built by hand rather than by the processor, as tests and tools build them. Add frozen tensors before
     * {@link Builder#build}.
     */
    public static Builder chain(Shape input, Layer... layers) {
        int[] sizes = new int[layers.length];
        for (int i = 0; i < layers.length; i++) {
            sizes[i] = Math.toIntExact(layers[i].output().elements());
        }
        Builder b = new Builder(input, sizes);
        for (int i = 0; i < layers.length; i++) {
            b.add(i, layers[i]);
        }
        return b;
    }

    public Shape input() {
        return input;
    }

    public List<Layer> layers() {
        return layers;
    }

    /** The last layer, whose output is the network's. */
    public Layer outputLayer() {
        return layers.getLast();
    }

    public Shape output() {
        return outputLayer().output();
    }

    /** The layer named {@code name}. */
    public Layer layer(String name) {
        Integer i = index.get(name);
        if (i == null) {
            throw new IllegalArgumentException("no layer named " + name);
        }
        return layers.get(i);
    }

    /** The position of layer {@code name} in execution order, or -1 for the network's input. */
    public int indexOf(String name) {
        if (name.equals(INPUT)) {
            return -1;
        }
        layer(name);
        return index.get(name);
    }

    /** The shape of one sample of the input or layer named {@code name}. */
    public Shape shapeOf(String name) {
        return name.equals(INPUT) ? input : layer(name).output();
    }

    /** The inference buffer holding layer {@code i}'s output. */
    public int outputBuffer(int i) {
        return outputBuffer[i];
    }

    /** The inference buffer of the input or layer {@code name}; -1 is the input's own. */
    public int bufferOf(String name) {
        int i = indexOf(name);
        return i < 0 ? -1 : outputBuffer[i];
    }

    /** Floats per sample of each inference buffer. */
    public int[] bufferFloats() {
        return bufferFloats.clone();
    }

    /** Whether the learned tensor {@code tensor} is frozen ({@code @Frozen}): never trained. */
    public boolean isFrozen(String tensor) {
        return frozen.contains(tensor);
    }

    public Set<String> frozen() {
        return frozen;
    }

    /**
     * The frozen tensors of the layers of member {@code member} (its layers are named {@code member},
     * {@code member.*} and {@code member/*}): what unfreezing that member (a stage, a block use) trains.
     */
    public List<String> frozenTensorsOf(String member) {
        List<String> out = new ArrayList<>();
        for (Layer l : layers) {
            String n = l.name();
            if (n.equals(member) || n.startsWith(member + ".") || n.startsWith(member + "/")) {
                l.parameters().stream().filter(frozen::contains).forEach(out::add);
            }
        }
        return out;
    }

    /** The same network with {@code tensors} no longer frozen (progressive unfreezing); each must be frozen now. */
    public NetworkGraph unfreezing(Collection<String> tensors) {
        Set<String> still = new LinkedHashSet<>(frozen);
        for (String t : tensors) {
            if (!still.remove(t)) {
                throw new IllegalArgumentException(t + " is not a frozen tensor of this network");
            }
        }
        return new NetworkGraph(input, layers, outputBuffer, bufferFloats, still, index);
    }

    /** Collects layers in order and checks each against the layers it reads. */
    public static final class Builder {
        private final Shape input;
        private final int[] bufferFloats;
        private final List<Layer> layers = new ArrayList<>();
        private final List<Integer> buffers = new ArrayList<>();
        private final Set<String> frozen = new LinkedHashSet<>();
        private final Map<String, Integer> index = new HashMap<>();

        private Builder(Shape input, int[] bufferFloats) {
            this.input = input;
            this.bufferFloats = bufferFloats.clone();
        }

        /** Adds {@code layer}, whose output the inference plan keeps in buffer {@code buffer}. */
        public Builder add(int buffer, Layer layer) {
            if (buffer < 0 || buffer >= bufferFloats.length) {
                throw new IllegalArgumentException(layer.name() + ": no buffer " + buffer + " among " + bufferFloats.length);
            }
            if (layer.name().equals(INPUT) || index.containsKey(layer.name())) {
                throw new IllegalArgumentException("two layers are named " + layer.name());
            }
            if (layer.output().elements() > bufferFloats[buffer]) {
                throw new IllegalArgumentException(layer.name() + ": output " + layer.output() + " does not fit buffer " + buffer);
            }
            List<String> inputs = layer.inputs();
            List<Shape> shapes = layer.inputShapes();
            for (int i = 0; i < inputs.size(); i++) {
                String from = inputs.get(i);
                Shape actual = from.equals(INPUT) ? input : index.containsKey(from) ? layers.get(index.get(from)).output() : null;
                if (actual == null) {
                    throw new IllegalArgumentException(layer.name() + " reads " + from + ", which is no earlier layer");
                }
                if (actual.elements() != shapes.get(i).elements()
                        || actual.rank() == shapes.get(i).rank() && !actual.equals(shapes.get(i))) {
                    throw new IllegalArgumentException(layer.name() + " expects " + shapes.get(i) + " from " + from + " but it gives " + actual);
                }
            }
            index.put(layer.name(), layers.size());
            layers.add(layer);
            buffers.add(buffer);
            return this;
        }

        /** Marks learned tensors as frozen. */
        public Builder frozen(String... tensors) {
            frozen.addAll(Arrays.asList(tensors));
            return this;
        }

        public NetworkGraph build() {
            if (layers.isEmpty()) {
                throw new IllegalStateException("a network needs at least one layer");
            }
            int[] out = buffers.stream().mapToInt(Integer::intValue).toArray();
            return new NetworkGraph(input, layers, out, bufferFloats, frozen, index);
        }
    }
}
