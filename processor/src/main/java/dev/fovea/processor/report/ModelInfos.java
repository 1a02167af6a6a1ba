package dev.fovea.processor.report;

import dev.fovea.processor.model.Lineage;
import dev.fovea.runtime.LayerInfo;
import dev.fovea.runtime.ModelInfo;
import java.util.ArrayList;
import java.util.List;

/** The report as the runtime's {@link ModelInfo}, so that the compiler's note and the model's summary agree. */
public final class ModelInfos {
    private ModelInfos() {}

    public static ModelInfo of(NetworkReport report) {
        List<LayerInfo> layers = new ArrayList<>();
        for (int i = 0; i < report.layers().size(); i++) {
            LayerReport l = report.layers().get(i);
            layers.add(new LayerInfo(l.name(), l.type(), l.detail(), l.inputs(), l.layer().output(), l.cost().params(), l.cost().macs(),
                    report.training().layerBytes().get(i), report.role(l)));
        }
        return new ModelInfo(report.name(), report.input(), report.output(), report.params(),
                report.trainableParams(), report.bufferValues(), report.macs(), report.activationBytes(),
                report.peakActivationBytes(), report.training().bytesPerSample(), report.training().parameterGradientBytes(), layers,
                report.lineage().map(Lineage::base).orElse(""));
    }
}
