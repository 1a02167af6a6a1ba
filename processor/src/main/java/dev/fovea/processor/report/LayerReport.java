package dev.fovea.processor.report;

import dev.fovea.processor.cost.LayerCost;
import dev.fovea.processor.infer.Resolved;
import java.util.List;

/** One layer of the report: the resolved layer, what it costs, and its names for people. */
public record LayerReport(Resolved layer, LayerCost cost, String detail, List<String> inputs) {
    public LayerReport {
        inputs = List.copyOf(inputs);
    }

    public String name() {
        return layer.node().name();
    }

    public String type() {
        return layer.op().type();
    }
}
