package dev.fovea.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.fovea.runtime.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An ONNX graph being written: nodes in order, initializers once each, and names made unique where a
 * layer needs more than one node ({@code conv1/projection}, {@code ln/mean}). Values are float32 with a
 * dynamic first dimension, {@code batch}.
 */
final class OnnxGraph {
    /** An attribute of a node: ints, one int, one float or a string. */
    sealed interface Attribute {
        String name();
    }

    record Ints(String name, long... values) implements Attribute {}

    record Int(String name, long value) implements Attribute {}

    record Real(String name, float value) implements Attribute {}

    record Text(String name, String value) implements Attribute {}

    static final String BATCH = "batch";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> initialized = new HashSet<>();
    private final Set<String> names = new HashSet<>();

    OnnxGraph(String name) {
        graph.setName(name);
    }

    /** A graph input or output of one sample's {@code shape}, batched. */
    static ValueInfoProto value(String name, Shape shape) {
        TensorShapeProto.Builder dims = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        for (int d : shape.dims()) {
            dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto.Tensor tensor = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(dims).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    void input(String name, Shape shape) {
        graph.addInput(value(name, shape));
    }

    void output(String name, Shape shape) {
        graph.addOutput(value(name, shape));
    }

    /** A name no other node output has, derived from {@code wanted}. */
    String fresh(String wanted) {
        String name = wanted;
        for (int i = 2; !names.add(name); i++) {
            name = wanted + "_" + i;
        }
        return name;
    }

    /** Adds a node writing {@code output} (which must be fresh) and returns that name. */
    String node(String op, String output, List<String> inputs, Attribute... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output);
        for (Attribute a : attributes) {
            node.addAttribute(attribute(a));
        }
        graph.addNode(node);
        return output;
    }

    /** A node whose output name is made fresh from {@code wanted}. */
    String step(String op, String wanted, List<String> inputs, Attribute... attributes) {
        return node(op, fresh(wanted), inputs, attributes);
    }

    /** A float initializer, added once under {@code name}. */
    String floats(String name, float[] data, long... dims) {
        if (initialized.add(name)) {
            ByteBuffer bytes = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(data);
            // the buffer is ours alone: wrap it rather than copy (VGG's first dense weight is 411 MB)
            graph.addInitializer(tensor(name, TensorProto.DataType.FLOAT, dims).setRawData(UnsafeByteOperations.unsafeWrap(bytes.array())));
        }
        return name;
    }

    /** An int64 initializer (axes, shapes), added once under {@code name}. */
    String longs(String name, long... data) {
        if (initialized.add(name)) {
            ByteBuffer bytes = ByteBuffer.allocate(data.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asLongBuffer().put(data);
            graph.addInitializer(tensor(name, TensorProto.DataType.INT64, data.length).setRawData(ByteString.copyFrom(bytes.array())));
        }
        return name;
    }

    /** A scalar float initializer. */
    String scalar(String name, float value) {
        return floats(name, new float[] {value});
    }

    GraphProto build() {
        return graph.build();
    }

    private static TensorProto.Builder tensor(String name, TensorProto.DataType type, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        return t;
    }

    private static AttributeProto attribute(Attribute a) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(a.name());
        switch (a) {
            case Ints i -> {
                b.setType(AttributeType.INTS);
                for (long v : i.values()) {
                    b.addInts(v);
                }
            }
            case Int i -> b.setType(AttributeType.INT).setI(i.value());
            case Real r -> b.setType(AttributeType.FLOAT).setF(r.value());
            case Text t -> b.setType(AttributeType.STRING).setS(ByteString.copyFromUtf8(t.value()));
        }
        return b.build();
    }
}
