package dev.fovea.runtime.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a training step's time goes, in milliseconds per step: the forward and backward passes by
 * layer type (largest first), zeroing the gradients, the loss, and the optimiser's update. A batch trained
 * as {@code parts} on one thread each adds the time summing the parts' gradients ({@code partsSum}); its
 * layer times are then the parts' time on all threads over the threads, as the parts run side by side.
 */
public record TrainingProfile(Map<String, Double> forward, Map<String, Double> backward, double zeroing, double loss, double update,
        int parts, double partsSum) {
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
        long zeroing;
        long loss;
        long update;
        long partsSum;

        void forward(String kind, long nanos) {
            forward.merge(kind, nanos, Long::sum);
        }

        void backward(String kind, long nanos) {
            backward.merge(kind, nanos, Long::sum);
        }

        /** Adds a part's times, scaled by {@code factor}. */
        void add(Clock part, double factor) {
            part.forward.forEach((kind, nanos) -> forward(kind, Math.round(nanos * factor)));
            part.backward.forEach((kind, nanos) -> backward(kind, Math.round(nanos * factor)));
            zeroing += Math.round(part.zeroing * factor);
        }

        TrainingProfile perStep(int steps, int parts) {
            return new TrainingProfile(perStep(forward, steps), perStep(backward, steps), zeroing / 1e6 / steps, loss / 1e6 / steps,
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
