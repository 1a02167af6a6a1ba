package dev.fovea.onnx.importer;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One operator of the graph as read from the file: its name, type, tensors in and out, and attributes. */
record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs, Map<String, AttributeProto> attributes) {

    static OnnxNode of(NodeProto node, int index) {
        Map<String, AttributeProto> attributes = new LinkedHashMap<>();
        node.getAttributeList().forEach(a -> attributes.put(a.getName(), a));
        String name = node.getName().isEmpty() ? node.getOpType() + "_" + index : node.getName();
        // an empty input name is an omitted optional input
        return new OnnxNode(name, node.getOpType(), List.copyOf(node.getInputList()), List.copyOf(node.getOutputList()), attributes);
    }

    String output() {
        return outputs.getFirst();
    }

    long integer(String attribute, long fallback) {
        AttributeProto a = attributes.get(attribute);
        return a == null ? fallback : a.getI();
    }

    float real(String attribute, float fallback) {
        AttributeProto a = attributes.get(attribute);
        return a == null ? fallback : a.getF();
    }

    String text(String attribute, String fallback) {
        AttributeProto a = attributes.get(attribute);
        return a == null ? fallback : a.getS().toStringUtf8();
    }

    /** An ints attribute, or {@code fallback} when it is absent. */
    long[] integers(String attribute, long... fallback) {
        AttributeProto a = attributes.get(attribute);
        return a == null ? fallback : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    boolean has(String attribute) {
        return attributes.containsKey(attribute);
    }

    /** The input at {@code index}, or null when the node has no such (or an omitted) input. */
    String input(int index) {
        return index < inputs.size() && !inputs.get(index).isEmpty() ? inputs.get(index) : null;
    }
}
