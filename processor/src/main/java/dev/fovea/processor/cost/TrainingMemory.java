package dev.fovea.processor.cost;

import dev.fovea.processor.graph.Op;
import dev.fovea.processor.report.LayerReport;
import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.plan.TensorDeclarations;
import java.util.ArrayList;
import java.util.List;

/**
 * What a training session of the network holds, as the runtime's training planner allocates it. Per
 * sample, for each layer: its output, kept for the backward pass (flatten and skipped additions share
 * their input's, and so do activations whose gradient follows from their output when nothing else reads
 * that input; a projection shortcut keeps its convolution's and its norm's outputs too), with max
 * pooling's switches, dropout's mask and layer norm's statistics. The outputs' gradients, where some
 * trainable layer lies at or before them, share buffers by their live ranges in backward order: the
 * runtime's own {@link TensorDeclarations} decide which activations run in place and how the gradients
 * share buffers, fed the same tensors and steps the session will declare. Once per model: the
 * parameters' gradients.
 *
 * @param layerBytes             per layer, in the report's order, bytes per sample kept for the backward pass
 * @param gradientBytes          the shared buffers of the outputs' gradients, bytes per sample
 * @param parameterGradientBytes the trainable parameters' gradients
 */
public record TrainingMemory(List<Long> layerBytes, long gradientBytes, long parameterGradientBytes) {
    public TrainingMemory {
        layerBytes = List.copyOf(layerBytes);
    }

    public static TrainingMemory of(List<LayerReport> layers) {
        TensorDeclarations declared = new TensorDeclarations();
        declared.tensor(NetworkGraph.INPUT, layers.getFirst().layer().input(), false);
        long parameterGradients = 0;
        for (LayerReport l : layers) {
            boolean trainable = !l.layer().node().frozen() && l.cost().params() > 0;
            if (trainable) {
                parameterGradients += l.cost().params() * Float.BYTES;
            }
            declare(declared, l, trainable || l.inputs().stream().anyMatch(declared::hasGradient), trainable);
        }
        declared.placeActivations();
        List<Long> bytes = new ArrayList<>();
        for (LayerReport l : layers) {
            boolean inPlace = !declared.valuesOf(l.name()).equals(l.name()); // written over its input's values
            bytes.add(inPlace ? 0 : bytes(l.layer().op(), l.layer().output()));
        }
        LayerReport last = layers.getLast();
        String logits = last.layer().op() instanceof Op.Activation a && a.kind() == Op.ActivationKind.SOFTMAX ? last.inputs().getFirst()
                : last.name();
        long gradients = declared.gradientPlan(declared.root(logits)).elementsPerSample() * Float.BYTES;
        return new TrainingMemory(bytes, gradients, parameterGradients);
    }

    /**
     * Declares the layer's tensors and steps as the runtime's training planner does (a {@code trainable}
     * batch norm runs the ReLU after it): none for flatten, empty
     * borders and skipped additions, which alias their input; three for a projected addition (the shortcut's
     * convolution, its norm, the addition); one for any other layer.
     */
    private static void declare(TensorDeclarations declared, LayerReport l, boolean gradient, boolean trainable) {
        String name = l.name();
        List<String> inputs = l.inputs();
        Shape out = l.layer().output();
        switch (l.layer().op()) {
            case Op.Flatten f -> declared.alias(name, inputs.getFirst());
            case Op.Border b when b.isEmpty() -> declared.alias(name, inputs.getFirst());
            case Op.Add a when a.mode() == Op.AddMode.SKIPPED -> declared.alias(name, inputs.getFirst());
            case Op.Add a when a.mode() == Op.AddMode.PROJECTED -> {
                declared.tensor(name + "/projection", out, gradient);
                declared.tensor(name + "/projection/norm", out, gradient);
                declared.tensor(name, out, gradient);
                declared.step(name + "/projection", List.of(inputs.get(1)), false);
                declared.step(name + "/projection/norm", List.of(name + "/projection"), false);
                declared.step(name, List.of(inputs.getFirst(), name + "/projection/norm"), false);
                declared.runsActivation();
            }
            case Op.Activation a -> {
                declared.tensor(name, out, gradient);
                declared.step(name, inputs, true);
                if (a.kind() == Op.ActivationKind.RELU || a.kind() == Op.ActivationKind.RELU6) {
                    declared.fusableCandidate();
                } else if (a.kind() != Op.ActivationKind.SOFTMAX && Activation.valueOf(a.kind().name()).gradientFromOutput()) {
                    declared.inPlaceCandidate();
                }
            }
            default -> {
                declared.tensor(name, out, gradient);
                declared.step(name, inputs, false);
                // the runtime runs a ReLU after an addition, or after a batch norm that learns, inside that layer
                if (l.layer().op() instanceof Op.Add || l.layer().op() instanceof Op.BatchNorm && trainable) {
                    declared.runsActivation();
                }
            }
        }
    }

    private static long bytes(Op op, Shape out) {
        long values = out.elements();
        int copies = switch (op) {
            case Op.Flatten f -> 0;
            case Op.Border b when b.isEmpty() -> 0;
            case Op.Add a when a.mode() == Op.AddMode.SKIPPED -> 0;
            case Op.Add a when a.mode() == Op.AddMode.PROJECTED -> 3;
            default -> 1;
        };
        long extra = switch (op) {
            case Op.Pool p when p.kind() == Op.PoolKind.MAX -> values; // an int switch per output
            case Op.Dropout d -> values; // the mask
            case Op.LayerNorm n -> 2L * (out.isSpatial() ? out.height() * out.width() : 1); // mean and 1/std per position
            default -> 0;
        };
        return (copies * values + extra) * Float.BYTES;
    }

    /** Bytes per sample, all layers and the gradient buffers. */
    public long bytesPerSample() {
        return layerBytes.stream().mapToLong(Long::longValue).sum() + gradientBytes;
    }

    /** The whole session's buffers for a batch (without the kernels' scratch, which depends on the threads). */
    public long bytes(int batch) {
        return batch * bytesPerSample() + parameterGradientBytes;
    }
}
