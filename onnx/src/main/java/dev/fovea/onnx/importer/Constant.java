package dev.fovea.onnx.importer;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.fovea.runtime.weights.LoadedTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A tensor whose value the file holds: an initializer or a Constant node's, as floats (weights) or longs (shapes, pads). */
record Constant(int[] dims, float[] floats, long[] longs) {

    static Constant of(TensorProto t, String file) {
        int[] dims = t.getDimsList().stream().mapToInt(Long::intValue).toArray();
        int count = Arrays.stream(dims).reduce(1, Math::multiplyExact);
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new ImportException(file + ": tensor " + t.getName() + " is stored outside the model (external data);"
                    + " save the model with its weights inside");
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        return switch (t.getDataType()) {
            case 1 -> { // FLOAT
                float[] values = new float[count];
                if (!t.getRawData().isEmpty()) {
                    check(raw.remaining() == 4L * count, t, file);
                    raw.asFloatBuffer().get(values);
                } else {
                    check(t.getFloatDataCount() == count, t, file);
                    for (int i = 0; i < count; i++) {
                        values[i] = t.getFloatData(i);
                    }
                }
                yield new Constant(dims, values, null);
            }
            case 7 -> { // INT64
                long[] values = new long[count];
                if (!t.getRawData().isEmpty()) {
                    check(raw.remaining() == 8L * count, t, file);
                    raw.asLongBuffer().get(values);
                } else {
                    check(t.getInt64DataCount() == count, t, file);
                    for (int i = 0; i < count; i++) {
                        values[i] = t.getInt64Data(i);
                    }
                }
                yield new Constant(dims, null, values);
            }
            default -> new Constant(dims, null, null); // another type: only an error if an operator needs its value
        };
    }

    private static void check(boolean sizeMatches, TensorProto t, String file) {
        if (!sizeMatches) {
            throw new ImportException(file + ": tensor " + t.getName() + " holds a different number of values than its shape "
                    + t.getDimsList() + " needs; is the file truncated?");
        }
    }

    int size() {
        return Arrays.stream(dims).reduce(1, Math::multiplyExact);
    }

    /** The one value of a scalar (or one-element) tensor, as a double; NaN when it is not numeric or not scalar. */
    double scalar() {
        if (size() != 1) {
            return Double.NaN;
        }
        return floats != null ? floats[0] : longs != null ? longs[0] : Double.NaN;
    }

    LoadedTensor tensor() {
        return new LoadedTensor(dims.clone(), floats);
    }
}
