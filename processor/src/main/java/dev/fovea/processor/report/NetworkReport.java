package dev.fovea.processor.report;

import dev.fovea.processor.cost.MemoryPlan;
import dev.fovea.processor.cost.TrainingMemory;
import dev.fovea.processor.infer.Inferred;
import dev.fovea.processor.model.Lineage;
import dev.fovea.runtime.Shape;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Everything known about a network after checking: its layers with their costs, and the totals. */
public record NetworkReport(Inferred inferred, List<LayerReport> layers, MemoryPlan memory, TrainingMemory training, Map<String, String> taps,
        Optional<Lineage> lineage) {
    public NetworkReport {
        layers = List.copyOf(layers);
    }

    /**
     * How the layer trains and, in a derived network, where it came from: empty, {@code frozen},
     * {@code inherited}, {@code inherited, frozen}, {@code replaced} or {@code added}.
     */
    public String role(LayerReport layer) {
        boolean frozen = layer.layer().node().frozen();
        String origin = lineage.map(l -> l.originOf(layer.name()).name().toLowerCase(Locale.ROOT)).orElse("");
        return origin.isEmpty() ? (frozen ? "frozen" : "") : frozen ? origin + ", frozen" : origin;
    }

    public String name() {
        return inferred.graph().name();
    }

    public String simpleName() {
        return name().substring(name().lastIndexOf('.') + 1);
    }

    public Shape input() {
        return inferred.layer(0).output();
    }

    public Shape output() {
        return inferred.output().output();
    }

    public long params() {
        return layers.stream().mapToLong(l -> l.cost().params()).sum();
    }

    /** Parameters of the layers not marked {@code @Frozen}. */
    public long trainableParams() {
        return layers.stream().filter(l -> !l.layer().node().frozen()).mapToLong(l -> l.cost().params()).sum();
    }

    public long bufferValues() {
        return layers.stream().mapToLong(l -> l.cost().bufferValues()).sum();
    }

    public long macs() {
        return layers.stream().mapToLong(l -> l.cost().macs()).sum();
    }

    public long activationBytes() {
        return memory.totalBytes();
    }

    public long peakActivationBytes() {
        return memory.peakBytes();
    }
}
