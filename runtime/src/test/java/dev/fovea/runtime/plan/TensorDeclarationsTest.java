package dev.fovea.runtime.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.NetworkGraph;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which activations a training session runs in place: only over values that nothing else needs. */
class TensorDeclarationsTest {
    private static final Shape S = new Shape(4, 3, 3);
    private static final String IN = NetworkGraph.INPUT;

    private static TensorDeclarations declarations() {
        TensorDeclarations d = new TensorDeclarations();
        d.tensor(IN, S, false);
        return d;
    }

    private static void layer(TensorDeclarations d, String name, List<String> inputs, boolean activation) {
        d.tensor(name, S, true);
        d.step(name, inputs, activation);
        if (activation) {
            d.inPlaceCandidate();
        }
    }

    @Test
    void anActivationWritesOverTheValuesOnlyItReads() {
        TensorDeclarations d = declarations();
        layer(d, "conv", List.of(IN), false);
        layer(d, "relu", List.of("conv"), true);
        layer(d, "next", List.of("relu"), false);
        d.placeActivations();
        assertEquals("conv", d.valuesOf("relu"));
    }

    @Test
    void notWhenAnotherLayerReadsThem() {
        TensorDeclarations d = declarations();
        layer(d, "conv", List.of(IN), false);
        layer(d, "relu", List.of("conv"), true);
        layer(d, "sum", List.of("relu", "conv"), false);
        d.placeActivations();
        assertEquals("relu", d.valuesOf("relu"));
    }

    @Test
    void notWhenTheirProducersBackwardReadsThem() {
        TensorDeclarations d = declarations();
        layer(d, "conv", List.of(IN), false);
        layer(d, "sigmoid", List.of("conv"), true);
        layer(d, "relu", List.of("sigmoid"), true);
        d.placeActivations();
        assertEquals("conv", d.valuesOf("sigmoid"));
        assertEquals("relu", d.valuesOf("relu"));
    }

    @Test
    void notOverTheNetworksInputNorThroughAnAliasReadTwice() {
        TensorDeclarations d = declarations();
        layer(d, "relu", List.of(IN), true);
        layer(d, "conv", List.of("relu"), false);
        d.alias("flat", "conv");
        layer(d, "tanh", List.of("flat"), true);
        layer(d, "sum", List.of("tanh", "conv"), false);
        d.placeActivations();
        assertEquals("relu", d.valuesOf("relu"));
        assertEquals("tanh", d.valuesOf("tanh"));
    }
}
