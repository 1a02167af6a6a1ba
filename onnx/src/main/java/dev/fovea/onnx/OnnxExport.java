package dev.fovea.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.io.AtomicFiles;
import dev.fovea.runtime.weights.Parameters;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Fovea network and its weights as an ONNX model, for runtimes where Fovea does not run. The graph
 * reads {@code input} (batch x C x H x W, the batch dynamic) and writes the last layer's output under
 * that layer's name; every node's output is named after its layer, every initializer after the PyTorch
 * name of its tensor. Inference semantics: batch norm on its running statistics, dropout passes all.
 * <pre>
 *   OnnxExport.write(ResNet18Model.GRAPH, parameters, OnnxExport.Provenance.of(ResNet18Model.INFO), Path.of("resnet18.onnx"));
 * </pre>
 */
public final class OnnxExport {
    /** ONNX's operator set 21 (Gelu is an operator from 20; reductions take their axes as an input from 18). */
    public static final int OPSET = 21;
    /** The IR version that opset 21 comes with. */
    public static final int IR_VERSION = 10;
    /** This build's version, written as the producer's. */
    public static final String FOVEA_VERSION = "0.1.0";

    /**
     * Where the model comes from, kept in its metadata.
     *
     * @param network the network's qualified class name
     * @param weights where its weights came from (a file name, or a description such as "initialised, seed 42")
     */
    public record Provenance(String network, String weights) {}

    private OnnxExport() {}

    /** The model in memory. Throws {@link UnsupportedOperationException} naming the layer ONNX cannot express. */
    public static ModelProto model(NetworkGraph graph, Parameters parameters, Provenance provenance) {
        String simpleName = provenance.network().substring(provenance.network().lastIndexOf('.') + 1);
        OnnxGraph g = new OnnxGraph(simpleName);
        g.fresh(NetworkGraph.INPUT);
        g.input(NetworkGraph.INPUT, graph.input());
        LayerWriter writer = new LayerWriter(g, parameters);
        for (Layer layer : graph.layers()) {
            writer.write(layer);
        }
        Layer last = graph.outputLayer();
        g.output(last.name(), last.output());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("fovea.version", FOVEA_VERSION);
        metadata.put("fovea.network", provenance.network());
        metadata.put("fovea.input", graph.input().toString());
        metadata.put("fovea.output", last.name());
        metadata.put("fovea.weights", provenance.weights());
        ModelProto.Builder model = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("Fovea").setProducerVersion(FOVEA_VERSION)
                .setModelVersion(1).setDocString(simpleName + ", exported by Fovea " + FOVEA_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).setGraph(g.build());
        metadata.forEach((k, v) -> model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build();
    }

    /** Writes the model to {@code file}, whole or not at all. */
    public static void write(NetworkGraph graph, Parameters parameters, Provenance provenance, Path file) throws IOException {
        ModelProto model = model(graph, parameters, provenance);
        AtomicFiles.replace(file, temp -> {
            try (OutputStream out = Files.newOutputStream(temp)) {
                model.writeTo(out);
            }
        });
    }
}
