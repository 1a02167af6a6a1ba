package dev.fovea.onnx.importer;

import dev.fovea.runtime.weights.LoadedTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One DSL layer an operator becomes: the annotation's simple name, its elements and the tensors it owns
 * (by the suffix the DSL gives them: {@code weight}, {@code bias}, {@code running_mean}).
 */
record ImportedLayer(String annotation, List<Attr> attrs, List<Weight> weights) {

    /**
     * An element of the annotation. It is written only when it differs from {@code fallback}, the DSL's
     * default for it (null: always written).
     */
    record Attr(String name, Value value, Value fallback) {
        boolean isDefault() {
            return Objects.equals(value, fallback);
        }
    }

    record Weight(String suffix, LoadedTensor tensor) {}

    /** Whether it owns tensors (the DSL's layers with a {@code name} element do), named after its member. */
    boolean ownsTensors() {
        return !weights.isEmpty();
    }

    /** A builder for the elements, in the order they are written. */
    static final class Builder {
        private final String annotation;
        private final List<Attr> attrs = new ArrayList<>();
        private final List<Weight> weights = new ArrayList<>();

        Builder(String annotation) {
            this.annotation = annotation;
        }

        Builder attr(String name, Value value, Value fallback) {
            attrs.add(new Attr(name, value, fallback));
            return this;
        }

        Builder attr(String name, Value value) {
            return attr(name, value, null);
        }

        Builder weight(String suffix, LoadedTensor tensor) {
            weights.add(new Weight(suffix, tensor));
            return this;
        }

        ImportedLayer build() {
            return new ImportedLayer(annotation, List.copyOf(attrs), List.copyOf(weights));
        }
    }

    static Builder of(String annotation) {
        return new Builder(annotation);
    }
}
