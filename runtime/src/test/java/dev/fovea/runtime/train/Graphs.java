package dev.fovea.runtime.train;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;

/** Hand-built graphs for tests: each layer's output in a buffer of its own. */
final class Graphs {
    private Graphs() {}

    static NetworkGraph of(Shape input, Layer... layers) {
        return NetworkGraph.chain(input, layers).build();
    }

    /** The same graph with {@code tensors} frozen. */
    static NetworkGraph frozen(NetworkGraph g, String... tensors) {
        NetworkGraph.Builder b = NetworkGraph.builder(g.input(), g.bufferFloats());
        for (int i = 0; i < g.layers().size(); i++) {
            b.add(g.outputBuffer(i), g.layers().get(i));
        }
        return b.frozen(tensors).build();
    }

    static Shape chw(int c, int h, int w) {
        return new Shape(c, h, w);
    }
}
