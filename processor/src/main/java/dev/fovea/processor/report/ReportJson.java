package dev.fovea.processor.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.fovea.runtime.weights.TensorSpec;
import dev.fovea.runtime.Shape;
import java.util.Locale;

/**
 * The machine-readable report, written to {@code META-INF/fovea/<qualified name>.json}: totals, then
 * every layer with its inputs, output shape, costs and named tensors.
 */
public final class ReportJson {
    private ReportJson() {}

    public static String of(NetworkReport report) {
        JsonObject root = new JsonObject();
        root.addProperty("name", report.name());
        root.addProperty("simpleName", report.simpleName());
        report.lineage().ifPresent(l -> root.addProperty("base", l.base()));
        root.add("input", shape(report.input()));
        root.add("output", shape(report.output()));
        root.addProperty("params", report.params());
        root.addProperty("trainableParams", report.trainableParams());
        root.addProperty("bufferValues", report.bufferValues());
        root.addProperty("macs", report.macs());
        root.addProperty("activationBytes", report.activationBytes());
        root.addProperty("peakActivationBytes", report.peakActivationBytes());
        root.addProperty("trainingBytesPerSample", report.training().bytesPerSample());
        root.addProperty("gradientBytesPerSample", report.training().gradientBytes());
        root.addProperty("parameterGradientBytes", report.training().parameterGradientBytes());
        JsonArray layers = new JsonArray();
        for (int i = 0; i < report.layers().size(); i++) {
            JsonObject layer = layer(report.layers().get(i));
            if (report.lineage().isPresent()) {
                layer.addProperty("origin", report.lineage().get().originOf(report.layers().get(i).name()).name().toLowerCase(Locale.ROOT));
            }
            layer.addProperty("trainingBytes", report.training().layerBytes().get(i));
            layers.add(layer);
        }
        root.add("layers", layers);
        JsonObject taps = new JsonObject();
        report.taps().forEach(taps::addProperty);
        root.add("taps", taps);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
    }

    private static JsonObject layer(LayerReport l) {
        JsonObject o = new JsonObject();
        o.addProperty("name", l.name());
        o.addProperty("type", l.type());
        o.addProperty("detail", l.detail());
        JsonArray inputs = new JsonArray();
        l.inputs().forEach(inputs::add);
        o.add("inputs", inputs);
        o.add("output", shape(l.layer().output()));
        o.addProperty("params", l.cost().params());
        if (l.layer().node().frozen()) {
            o.addProperty("frozen", true);
        }
        o.addProperty("macs", l.cost().macs());
        o.addProperty("activationBytes", l.layer().output().elements() * Float.BYTES);
        JsonArray tensors = new JsonArray();
        for (TensorSpec t : l.cost().tensors()) {
            JsonObject tensor = new JsonObject();
            tensor.addProperty("name", t.name());
            JsonArray dims = new JsonArray();
            for (int d : t.shape()) {
                dims.add(d);
            }
            tensor.add("shape", dims);
            if (t.buffer()) {
                tensor.addProperty("buffer", true);
            }
            tensors.add(tensor);
        }
        o.add("tensors", tensors);
        return o;
    }

    private static JsonArray shape(Shape s) {
        JsonArray a = new JsonArray();
        for (int d : s.dims()) {
            a.add(d);
        }
        return a;
    }
}
