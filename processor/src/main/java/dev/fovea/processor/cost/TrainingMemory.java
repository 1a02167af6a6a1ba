package dev.fovea.processor.cost;

import dev.fovea.processor.graph.Op;
import dev.fovea.processor.report.LayerReport;
import dev.fovea.runtime.Shape;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a training session of the network holds, as the runtime's training planner allocates it. Per
 * sample, for each layer: its output, kept for the backward pass (flatten and skipped additions share
 * their input's; a projection shortcut keeps its convolution's and its norm's outputs too), with max
 * pooling's switches, dropout's mask and layer norm's statistics; and the output's gradient, when some
 * trainable layer lies at or before it. Once per model: the parameters' gradients.
 *
 * @param layerBytes             per layer, in the report's order, bytes per sample
 * @param parameterGradientBytes the trainable parameters' gradients
 */
public record TrainingMemory(List<Long> layerBytes, long parameterGradientBytes) {
    public TrainingMemory {
        layerBytes = List.copyOf(layerBytes);
    }

    public static TrainingMemory of(List<LayerReport> layers) {
        Set<Integer> withGradient = new HashSet<>();
        List<Long> bytes = new java.util.ArrayList<>();
        long parameterGradients = 0;
        for (LayerReport l : layers) {
            boolean trainable = !l.layer().node().frozen() && l.cost().params() > 0;
            if (trainable) {
                parameterGradients += l.cost().params() * Float.BYTES;
            }
            boolean gradient = trainable || l.layer().node().inputs().stream().anyMatch(withGradient::contains);
            if (gradient) {
                withGradient.add(l.layer().node().id());
            }
            bytes.add(bytes(l.layer().op(), l.layer().output(), gradient));
        }
        return new TrainingMemory(bytes, parameterGradients);
    }

    private static long bytes(Op op, Shape out, boolean gradient) {
        long values = out.elements();
        int copies = switch (op) {
            case Op.Flatten f -> 0;
            case Op.Add a when a.mode() == Op.AddMode.SKIPPED -> 0;
            case Op.Add a when a.mode() == Op.AddMode.PROJECTED -> 3;
            default -> 1;
        };
        long kept = copies * values * (gradient ? 2 : 1);
        long extra = switch (op) {
            case Op.Pool p when p.kind() == Op.PoolKind.MAX -> values; // an int switch per output
            case Op.Dropout d -> values; // the mask
            case Op.LayerNorm n -> 2L * (out.isSpatial() ? out.height() * out.width() : 1); // mean and 1/std per position
            default -> 0;
        };
        return (kept + extra) * Float.BYTES;
    }

    /** Bytes per sample, all layers. */
    public long bytesPerSample() {
        return layerBytes.stream().mapToLong(Long::longValue).sum();
    }

    /** The whole session's buffers for a batch (without the kernels' scratch, which depends on the threads). */
    public long bytes(int batch) {
        return batch * bytesPerSample() + parameterGradientBytes;
    }
}
