package dev.fovea.onnx.importer;

import java.util.List;
import java.util.stream.Collectors;

/** The value of an annotation element in the written source. */
sealed interface Value {
    /** The value as Java source; references are written by {@link SourceWriter}, which knows the member names. */
    String source();

    record Int(int value) implements Value {
        @Override
        public String source() {
            return Integer.toString(value);
        }
    }

    /** A size given per dimension, {@code {h, w}}; written as one number when both agree. */
    static Value pair(long h, long w) {
        return h == w ? new Int(Math.toIntExact(h)) : new Pair(Math.toIntExact(h), Math.toIntExact(w));
    }

    record Pair(int h, int w) implements Value {
        @Override
        public String source() {
            return "{" + h + ", " + w + "}";
        }
    }

    record Real(double value) implements Value {
        /** A float from the file, written with the fewest digits that give back that float (1e-5, not 9.99999974e-6). */
        static Real ofFloat(float f) {
            return new Real(Double.parseDouble(Float.toString(f)));
        }

        @Override
        public String source() {
            return Double.toString(value);
        }
    }

    record Bool(boolean value) implements Value {
        @Override
        public String source() {
            return Boolean.toString(value);
        }
    }

    /** A reference to the layer that computes {@code tensor}. */
    record Ref(String tensor) implements Value {
        @Override
        public String source() {
            return '"' + tensor + '"';
        }
    }

    /** References to several layers, in order (a concatenation's inputs). */
    record Refs(List<String> tensors) implements Value {
        @Override
        public String source() {
            return tensors.stream().map(t -> '"' + t + '"').collect(Collectors.joining(", ", "{", "}"));
        }
    }
}
