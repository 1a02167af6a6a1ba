package dev.fovea.runtime.optim;

import java.util.Arrays;

/**
 * A learning rate as a function of the step (0-based), as PyTorch's schedulers give it when stepped
 * once per optimiser step. Combine with {@link #withWarmup}.
 */
@FunctionalInterface
public interface Schedule {
    double at(long step);

    static Schedule constant(double rate) {
        return step -> rate;
    }

    /** StepLR: rate * gamma^(step / every). */
    static Schedule step(double rate, long every, double gamma) {
        return step -> rate * Math.pow(gamma, step / every);
    }

    /** MultiStepLR: rate times gamma for every milestone reached. */
    static Schedule multiStep(double rate, double gamma, long... milestones) {
        long[] sorted = milestones.clone();
        Arrays.sort(sorted);
        return step -> {
            int passed = 0;
            while (passed < sorted.length && step >= sorted[passed]) {
                passed++;
            }
            return rate * Math.pow(gamma, passed);
        };
    }

    /** CosineAnnealingLR: from rate down to minimum over {@code total} steps. */
    static Schedule cosine(double rate, long total, double minimum) {
        return step -> minimum + (rate - minimum) * (1 + Math.cos(Math.PI * Math.min(step, total) / total)) / 2;
    }

    /**
     * OneCycleLR (cosine annealing, PyTorch's defaults): from max/25 up to max over the first
     * {@code warmFraction} of {@code total} steps, then down to max/25/1e4.
     */
    static Schedule oneCycle(double max, long total, double warmFraction) {
        double initial = max / 25;
        double last = initial / 1e4;
        double up = warmFraction * total - 1;
        double down = total - 1;
        return step -> {
            if (step <= up) {
                return anneal(initial, max, step / up);
            }
            return anneal(max, last, Math.min(1, (step - up) / (down - up)));
        };
    }

    private static double anneal(double from, double to, double fraction) {
        return to + (from - to) * (1 + Math.cos(Math.PI * fraction)) / 2;
    }

    /** Linear warm-up from rate/warmupSteps... to this schedule's rate over the first {@code steps} steps. */
    default Schedule withWarmup(long steps) {
        return step -> step < steps ? at(step) * (step + 1) / steps : at(step);
    }
}
