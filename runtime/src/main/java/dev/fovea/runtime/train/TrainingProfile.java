package dev.fovea.runtime.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a training step's time goes, in milliseconds per step: the forward and backward passes by
 * layer type (largest first), zeroing the gradients, the loss, and the optimiser's update.
 */
public record TrainingProfile(Map<String, Double> forward, Map<String, Double> backward, double zeroing, double loss, double update) {
    public double forwardTotal() {
        return forward.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    public double backwardTotal() {
        return backward.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    public double total() {
        return forwardTotal() + backwardTotal() + zeroing + loss + update;
    }

    /** Accumulates nanoseconds while profiled steps run. */
    static final class Clock {
        private final Map<String, Long> forward = new LinkedHashMap<>();
        private final Map<String, Long> backward = new LinkedHashMap<>();
        long zeroing;
        long loss;
        long update;

        void forward(String kind, long nanos) {
            forward.merge(kind, nanos, Long::sum);
        }

        void backward(String kind, long nanos) {
            backward.merge(kind, nanos, Long::sum);
        }

        TrainingProfile perStep(int steps) {
            return new TrainingProfile(perStep(forward, steps), perStep(backward, steps), zeroing / 1e6 / steps, loss / 1e6 / steps,
                    update / 1e6 / steps);
        }

        private static Map<String, Double> perStep(Map<String, Long> nanos, int steps) {
            Map<String, Double> ms = new LinkedHashMap<>();
            nanos.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> ms.put(e.getKey(), e.getValue() / 1e6 / steps));
            return ms;
        }
    }
}
