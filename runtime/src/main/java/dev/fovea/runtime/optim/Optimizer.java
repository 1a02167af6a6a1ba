package dev.fovea.runtime.optim;

import dev.fovea.runtime.weights.LoadedTensor;
import java.util.Collection;
import java.util.Map;

/**
 * Updates parameters in place from their gradients, one step at a time, allocating nothing per step.
 * Its state (momentum buffers, moment estimates, the step count) is a set of named tensors, so a
 * checkpoint can hold it and {@link #loadState} restore it exactly.
 */
public interface Optimizer {
    /** Applies the current gradients to the parameters. */
    void step();

    double learningRate();

    /** Sets the learning rate of the next steps (a schedule calls this before each step). */
    void learningRate(double rate);

    /**
     * Gives {@code tensors} a learning rate of their own, the optimiser's times {@code factor}, as PyTorch's
     * parameter groups do (fine-tuning's smaller rate for inherited layers); a schedule scales both alike.
     * Every tensor must be one the optimiser trains.
     */
    void scaleRate(Collection<String> tensors, double factor);

    /** Steps taken. */
    long steps();

    /** The state as named tensors (they share the live arrays). */
    Map<String, LoadedTensor> state();

    /** Restores a state written by {@link #state()}. */
    void loadState(Map<String, LoadedTensor> state);
}
