package dev.fovea.runtime.train;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a training step's time goes, in milliseconds per step: the forward and backward passes by
 * layer type (largest first) and by layer (slowest first), zeroing the gradients, the loss, and the
 * optimiser's update. A batch trained
 * as {@code parts} on one thread each adds the time summing the parts' gradients ({@code partsSum}); its
 * layer times are then the parts' time on all threads over the threads, as the parts run side by side.
 */
public record TrainingProfile(Map<String, Double> forward, Map<String, Double> backward, List<Layer> layers, double zeroing, double loss,
        double update, int parts, double partsSum) {
    /** One layer's time per step (its node's: a fused activation's included), forward and backward, and its kind. */
    public record Layer(String name, String kind, double forward, double backward) {
        public double total() {
            return forward + backward;
        }
    }

    public double forwardTotal() {
        return forward.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    public double backwardTotal() {
        return backward.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    public double total() {
        return forwardTotal() + backwardTotal() + zeroing + loss + update + partsSum;
    }

    /** Accumulates nanoseconds while profiled steps run. */
    static final class Clock {
        private final Map<String, Long> forward = new LinkedHashMap<>();
        private final Map<String, Long> backward = new LinkedHashMap<>();
        /** Per layer, in the order the forward pass meets them: its kind, and nanoseconds forward and backward. */
        private final Map<String, String> kinds = new LinkedHashMap<>();
        private final Map<String, Long> layerForward = new LinkedHashMap<>();
        private final Map<String, Long> layerBackward = new LinkedHashMap<>();
        long zeroing;
        long loss;
        long update;
        long partsSum;

        void forward(String layer, String kind, long nanos) {
            forward.merge(kind, nanos, Long::sum);
            kinds.putIfAbsent(layer, kind);
            layerForward.merge(layer, nanos, Long::sum);
        }

        void backward(String layer, String kind, long nanos) {
            backward.merge(kind, nanos, Long::sum);
            kinds.putIfAbsent(layer, kind);
            layerBackward.merge(layer, nanos, Long::sum);
        }

        /** Adds a part's times, scaled by {@code factor}. */
        void add(Clock part, double factor) {
            part.kinds.forEach((layer, kind) -> {
                forward(layer, kind, Math.round(part.layerForward.getOrDefault(layer, 0L) * factor));
                backward(layer, kind, Math.round(part.layerBackward.getOrDefault(layer, 0L) * factor));
            });
            zeroing += Math.round(part.zeroing * factor);
        }

        TrainingProfile perStep(int steps, int parts) {
            List<Layer> layers = kinds.entrySet().stream()
                    .map(e -> new Layer(e.getKey(), e.getValue(), layerForward.getOrDefault(e.getKey(), 0L) / 1e6 / steps,
                            layerBackward.getOrDefault(e.getKey(), 0L) / 1e6 / steps))
                    .sorted(Comparator.comparingDouble(Layer::total).reversed()).toList();
            return new TrainingProfile(perStep(forward, steps), perStep(backward, steps), layers, zeroing / 1e6 / steps, loss / 1e6 / steps,
                    update / 1e6 / steps, parts, partsSum / 1e6 / steps);
        }

        private static Map<String, Double> perStep(Map<String, Long> nanos, int steps) {
            Map<String, Double> ms = new LinkedHashMap<>();
            nanos.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> ms.put(e.getKey(), e.getValue() / 1e6 / steps));
            return ms;
        }
    }
}
