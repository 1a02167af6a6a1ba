package dev.fovea.runtime.fit;

import dev.fovea.runtime.train.Gradients;

/**
 * Runs between the backward pass and the optimiser's step with the gradients of this worker's batch.
 * Data-parallel training averages them across workers here, in place; alone, nothing happens.
 */
@FunctionalInterface
public interface GradientReducer {
    GradientReducer NONE = gradients -> { };

    void reduce(Gradients gradients);
}
