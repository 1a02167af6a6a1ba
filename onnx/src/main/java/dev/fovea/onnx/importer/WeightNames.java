package dev.fovea.onnx.importer;

import dev.fovea.onnx.importer.Layout.Instance;
import dev.fovea.onnx.importer.Layout.Part;
import dev.fovea.onnx.importer.Layout.Single;
import dev.fovea.onnx.importer.Layout.Use;
import dev.fovea.runtime.weights.LoadedTensor;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Names every tensor of the imported network as the processor will name it in the written source: a
 * member's first layer that owns tensors takes the member's path, the others add their layer type
 * ({@code conv1.batchnorm.weight}); a block use nests its members under its name, and a repeated use
 * under its name and index ({@code layer1.0.conv1.weight}).
 */
final class WeightNames {
    private WeightNames() {}

    static Map<String, LoadedTensor> of(Layout layout) {
        Map<String, LoadedTensor> tensors = new LinkedHashMap<>();
        for (Part part : layout.parts()) {
            switch (part) {
                case Single s -> member(s.member().member(), s.member().name(), tensors);
                case Use u -> {
                    for (int i = 0; i < u.instances().size(); i++) {
                        Instance instance = u.instances().get(i);
                        String prefix = u.path(i);
                        for (int j = 0; j < instance.members().size(); j++) {
                            member(instance.members().get(j), prefix + "." + u.type().memberNames().get(j), tensors);
                        }
                    }
                }
            }
        }
        return tensors;
    }

    private static void member(Member m, String path, Map<String, LoadedTensor> tensors) {
        boolean first = true;
        for (Step step : m.steps()) {
            ImportedLayer layer = step.layer();
            if (!layer.ownsTensors()) {
                continue;
            }
            String owner = first ? path : path + "." + layer.annotation().toLowerCase(Locale.ROOT);
            first = false;
            // a layer scale's one tensor is named after its layer, with no suffix
            layer.weights().forEach(w -> tensors.put(w.suffix().isEmpty() ? owner : owner + "." + w.suffix(), w.tensor()));
        }
    }

    /** Learned parameters as PyTorch counts them: batch norm's running statistics are buffers, not parameters. */
    static long parameterCount(Map<String, LoadedTensor> tensors) {
        return tensors.entrySet().stream().filter(e -> !e.getKey().endsWith(".running_mean") && !e.getKey().endsWith(".running_var"))
                .mapToLong(e -> e.getValue().data().length).sum();
    }
}
