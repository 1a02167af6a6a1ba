package dev.fovea.processor.cost;

import dev.fovea.processor.graph.Op;
import dev.fovea.processor.report.LayerReport;
import dev.fovea.runtime.Shape;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.plan.GradientBufferPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a training session of the network holds, as the runtime's training planner allocates it. Per
 * sample, for each layer: its output, kept for the backward pass (flatten and skipped additions share
 * their input's, and so do activations whose gradient follows from their output when nothing else reads
 * that input; a projection shortcut keeps its convolution's and its norm's outputs too), with max
 * pooling's switches, dropout's mask and layer norm's statistics. The outputs' gradients, where some
 * trainable layer lies at or before them, share buffers by their live ranges in backward order: the
 * runtime's {@link GradientBufferPlan}, fed the same steps the session will run. Once per model: the
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
        Steps steps = new Steps();
        List<Long> bytes = new ArrayList<>();
        long parameterGradients = 0;
        for (LayerReport l : layers) {
            boolean trainable = !l.layer().node().frozen() && l.cost().params() > 0;
            if (trainable) {
                parameterGradients += l.cost().params() * Float.BYTES;
            }
            steps.add(l, trainable);
            bytes.add(bytes(l.layer().op(), l.layer().output()));
        }
        for (int i = 0; i < layers.size(); i++) {
            if (steps.runsInPlace(layers.get(i))) {
                bytes.set(i, 0L); // its output is written over its input's values
            }
        }
        LayerReport last = layers.getLast();
        int logits = last.layer().op() instanceof Op.Activation a && a.kind() == Op.ActivationKind.SOFTMAX ? last.layer().node().inputs().getFirst() : last.layer().node().id();
        long gradients = GradientBufferPlan.of(steps.values(logits)).elementsPerSample() * Float.BYTES;
        return new TrainingMemory(bytes, gradients, parameterGradients);
    }

    private static long bytes(Op op, Shape out) {
        long values = out.elements();
        int copies = switch (op) {
            case Op.Flatten f -> 0;
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

    /**
     * The runtime session's steps (its nodes, in forward order): one per layer, none for flatten and
     * skipped additions, which alias their input, and three for a projected addition (the shortcut's
     * convolution, its norm, the addition). Tensors are keyed by node id, the projection's two by -1 - 2id and -2 - 2id.
     */
    private static final class Steps {
        private final Map<Integer, Integer> alias = new HashMap<>();
        private final Set<Integer> withGradient = new HashSet<>();
        private final Map<Integer, Long> elements = new HashMap<>();
        private final Map<Integer, Integer> producer = new HashMap<>();
        private final Map<Integer, Integer> lastReader = new HashMap<>();
        private final List<Integer> order = new ArrayList<>();
        private final Map<Integer, Integer> readers = new HashMap<>();
        /** Tensors whose producer's backward pass reads them: an activation's or a softmax's output. */
        private final Set<Integer> readByTheirBackward = new HashSet<>();
        private int step;

        void add(LayerReport l, boolean trainable) {
            int id = l.layer().node().id();
            List<Integer> inputs = l.layer().node().inputs().stream().map(this::root).toList();
            boolean gradient = trainable || inputs.stream().anyMatch(withGradient::contains);
            Op op = l.layer().op();
            if (op instanceof Op.Flatten || op instanceof Op.Add a && a.mode() == Op.AddMode.SKIPPED) {
                alias.put(id, inputs.getFirst());
                return;
            }
            long size = l.layer().output().elements();
            if (op instanceof Op.Add a && a.mode() == Op.AddMode.PROJECTED) {
                int projected = -1 - 2 * id;
                int normed = -2 - 2 * id;
                write(projected, size, gradient, List.of(inputs.get(1)));
                write(normed, size, gradient, List.of(projected));
                write(id, size, gradient, List.of(inputs.getFirst(), normed));
            } else {
                write(id, size, gradient, inputs);
                if (op instanceof Op.Activation) {
                    readByTheirBackward.add(id);
                }
            }
        }

        /**
         * As the runtime decides: an activation whose gradient follows from its output writes over its
         * input's values when it is their only reader, they are not the network's input (node 0), and their
         * producer's backward pass does not read them.
         */
        boolean runsInPlace(LayerReport l) {
            if (!(l.layer().op() instanceof Op.Activation a) || a.kind() == Op.ActivationKind.SOFTMAX
                    || !Activation.valueOf(a.kind().name()).gradientFromOutput()) {
                return false;
            }
            int in = root(l.layer().node().inputs().getFirst());
            return in != 0 && readers.get(in) == 1 && !readByTheirBackward.contains(in);
        }

        private void write(int tensor, long size, boolean gradient, List<Integer> reads) {
            if (gradient) {
                withGradient.add(tensor);
            }
            elements.put(tensor, size);
            producer.put(tensor, step);
            order.add(tensor);
            for (int r : reads) {
                lastReader.put(r, step);
                readers.merge(r, 1, Integer::sum);
            }
            step++;
        }

        private int root(int id) {
            return alias.getOrDefault(id, id);
        }

        /** The gradients to plan (the network's input has none in a compiled model's session). */
        List<GradientBufferPlan.Value> values(int logits) {
            int logitsRoot = root(logits);
            List<GradientBufferPlan.Value> values = new ArrayList<>();
            for (int t : order) {
                if (withGradient.contains(t)) {
                    int from = producer.get(t);
                    int to = t == logitsRoot ? GradientBufferPlan.END : lastReader.getOrDefault(t, from);
                    values.add(new GradientBufferPlan.Value(elements.get(t), from, to));
                }
            }
            return values;
        }
    }
}
