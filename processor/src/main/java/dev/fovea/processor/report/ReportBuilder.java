package dev.fovea.processor.report;

import dev.fovea.processor.cost.CostModel;
import dev.fovea.processor.cost.LayerCost;
import dev.fovea.processor.cost.MemoryPlan;
import dev.fovea.processor.cost.TrainingMemory;
import dev.fovea.runtime.weights.TensorSpec;
import dev.fovea.processor.diag.Problems;
import dev.fovea.processor.graph.Node;
import dev.fovea.processor.infer.Inferred;
import dev.fovea.processor.infer.Resolved;
import dev.fovea.processor.model.Lineage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Costs every layer, plans activation memory, and checks that parameter names are unique. */
public final class ReportBuilder {
    private ReportBuilder() {}

    /** The report, or empty when a tensor is too large to hold (reported in {@code problems}). */
    public static Optional<NetworkReport> build(Inferred inferred, Optional<Lineage> lineage, Problems problems) {
        List<LayerReport> layers = new ArrayList<>();
        Map<String, Node> owners = new HashMap<>();
        boolean tooLarge = false;
        for (Resolved r : inferred.layers().subList(1, inferred.layers().size())) {
            LayerCost cost = CostModel.of(r);
            for (TensorSpec t : cost.tensors()) {
                long values = 1;
                for (int d : t.shape()) {
                    values *= d;
                }
                if (values > Integer.MAX_VALUE) {
                    problems.error("TooLarge", r.node().name() + ": parameter \"" + t.name() + "\" " + Arrays.toString(t.shape()) + " has "
                            + String.format(Locale.ROOT, "%,d", values) + " values, more than a Java array holds (2,147,483,647)",
                            r.node().withUseSites(r.node().source().ref()));
                    tooLarge = true;
                }
                Node other = owners.putIfAbsent(t.name(), r.node());
                if (other != null) {
                    problems.error("DuplicateName", r.node().name() + ": parameter \"" + t.name() + "\" is also " + other.name()
                            + "'s; give one of them another name (@Name on the member, or name = on the layer)",
                            r.node().withUseSites(r.node().source().refOf("name")));
                }
            }
            List<String> inputs = new ArrayList<>();
            for (int id : r.node().inputs()) {
                inputs.add(inferred.graph().node(id).name());
            }
            layers.add(new LayerReport(r, cost, Details.of(r.op()), inputs));
        }
        Map<String, String> taps = new LinkedHashMap<>();
        inferred.graph().taps().forEach((name, id) -> taps.put(name, inferred.graph().node(id).name()));
        if (tooLarge) {
            return Optional.empty();
        }
        return Optional.of(new NetworkReport(inferred, layers, MemoryPlan.of(inferred), TrainingMemory.of(layers), taps, lineage));
    }
}
