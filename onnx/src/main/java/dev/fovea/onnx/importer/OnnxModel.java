package dev.fovea.onnx.importer;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX file as the importer needs it: the one image input (one sample's shape, the batch left out), the
 * one output, the operators in the file's (topological) order and every tensor whose value the file holds.
 *
 * @param file the file's name, for messages
 * @param sample one sample's input shape, channels first
 */
record OnnxModel(String file, String producer, long opset, String input, int[] sample, String output, List<OnnxNode> nodes,
        Map<String, Constant> constants) {

    /** Reads {@code path}; {@code sample} overrides the input's shape without its batch (needed when the file leaves it open). */
    static OnnxModel read(Path path, int[] sample) {
        String file = path.getFileName().toString();
        ModelProto model;
        try {
            model = ModelProto.parseFrom(Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            throw new ImportException(path + ": no such file");
        } catch (InvalidProtocolBufferException e) {
            throw new ImportException(file + ": not an ONNX model (it does not parse as one: " + e.getMessage() + ")");
        } catch (IOException e) {
            throw new ImportException(file + ": cannot be read: " + e.getMessage());
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new ImportException(file + ": not an ONNX model (it holds no graph)");
        }
        GraphProto graph = model.getGraph();
        long opset = model.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(OperatorSetIdProto::getVersion).findFirst().orElse(0);
        Map<String, Constant> constants = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            constants.put(t.getName(), Constant.of(t, file));
        }
        List<OnnxNode> nodes = new ArrayList<>();
        for (NodeProto proto : graph.getNodeList()) {
            OnnxNode node = OnnxNode.of(proto, nodes.size());
            if (node.opType().equals("Constant") && node.has("value")) {
                constants.put(node.output(), Constant.of(node.attributes().get("value").getT(), file));
            } else if (node.opType().equals("Identity") && constants.containsKey(node.inputs().getFirst())) {
                constants.put(node.output(), constants.get(node.inputs().getFirst())); // PyTorch shares equal weights this way
            } else {
                nodes.add(node);
            }
        }
        List<ValueInfoProto> inputs = graph.getInputList().stream().filter(i -> !constants.containsKey(i.getName())).toList();
        if (inputs.size() != 1) {
            throw new ImportException(file + ": has " + inputs.size() + " inputs (" + inputs.stream().map(ValueInfoProto::getName).toList()
                    + "); Fovea networks read one image tensor");
        }
        if (graph.getOutputCount() != 1) {
            throw new ImportException(file + ": has " + graph.getOutputCount() + " outputs; Fovea imports networks with one");
        }
        ValueInfoProto input = inputs.getFirst();
        return new OnnxModel(file, (model.getProducerName() + " " + model.getProducerVersion()).strip(), opset, input.getName(),
                sample != null ? sample.clone() : sampleShape(input, file), graph.getOutput(0).getName(), List.copyOf(nodes), constants);
    }

    /** The input's shape without its first (batch) dimension; every other dimension must be a number. */
    private static int[] sampleShape(ValueInfoProto input, String file) {
        List<TensorShapeProto.Dimension> dims = input.getType().getTensorType().getShape().getDimList();
        if (dims.size() != 4 && dims.size() != 2) {
            throw new ImportException(file + ": input " + input.getName() + " has " + dims.size() + " dimensions; Fovea reads"
                    + " batch x channels x height x width (or batch x features)");
        }
        int[] sample = new int[dims.size() - 1];
        for (int i = 1; i < dims.size(); i++) {
            if (!dims.get(i).hasDimValue() || dims.get(i).getDimValue() <= 0) {
                throw new ImportException(file + ": input " + input.getName() + " leaves dimension " + i + " open ("
                        + dims.get(i).getDimParam() + "); give one sample's shape with --input, like --input 3,224,224");
            }
            sample[i - 1] = Math.toIntExact(dims.get(i).getDimValue());
        }
        return sample;
    }
}
