package dev.fovea.processor.report;

import dev.fovea.runtime.LayerInfo;
import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.Shape;
import java.util.ArrayList;
import java.util.List;

/** The report as the runtime's {@link ModelInfo}, so that the compiler's note and the model's summary agree. */
public final class ModelInfos {
    private ModelInfos() {}

    public static ModelInfo of(NetworkReport report) {
        List<LayerInfo> layers = new ArrayList<>();
        for (LayerReport l : report.layers()) {
            layers.add(layer(l));
        }
        return new ModelInfo(report.name(), shape(report.input()), shape(report.output()), report.params(),
                report.trainableParams(), report.bufferValues(), report.macs(), report.activationBytes(),
                report.peakActivationBytes(), layers);
    }

    public static LayerInfo layer(LayerReport l) {
        return new LayerInfo(l.name(), l.type(), l.detail(), l.inputs(), shape(l.layer().output()), l.cost().params(),
                l.cost().macs());
    }

    static Shape shape(dev.fovea.processor.model.Shape s) {
        return new Shape(s.dims());
    }
}
