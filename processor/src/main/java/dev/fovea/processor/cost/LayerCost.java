package dev.fovea.processor.cost;

import dev.fovea.runtime.weights.TensorSpec;
import java.util.List;

/** What one layer costs: its tensors, its learnable parameters, and its multiply-accumulates per sample. */
public record LayerCost(List<TensorSpec> tensors, long macs) {
    public LayerCost {
        tensors = List.copyOf(tensors);
    }

    public long params() {
        return tensors.stream().filter(t -> !t.buffer()).mapToLong(TensorSpec::elements).sum();
    }

    public long bufferValues() {
        return tensors.stream().filter(TensorSpec::buffer).mapToLong(TensorSpec::elements).sum();
    }
}
