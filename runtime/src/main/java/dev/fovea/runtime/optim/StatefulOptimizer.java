package dev.fovea.runtime.optim;

import dev.fovea.runtime.weights.LoadedTensor;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;

/** What every optimiser keeps: the learning rate, the step count and the named state tensors. */
abstract class StatefulOptimizer implements Optimizer {
    final Map<String, LoadedTensor> state = ParameterSet.newState();
    private final float[] stepCount = new float[2];
    private double rate;
    private long steps;

    StatefulOptimizer(double rate) {
        this.rate = rate;
    }

    /** Adds the step count to the state, after the subclass's buffers. */
    final void addStepCount() {
        state.put("steps", new LoadedTensor(new int[] {2}, stepCount));
    }

    /** Counts a step taken. */
    final void stepped() {
        steps++;
        Counter.store(stepCount, steps);
    }

    @Override
    public double learningRate() {
        return rate;
    }

    @Override
    public void learningRate(double rate) {
        this.rate = rate;
    }

    /** The tensors this optimiser updates. */
    abstract ParameterSet parameterSet();

    @Override
    public void scaleRate(Collection<String> tensors, double factor) {
        parameterSet().scaleRate(tensors, factor);
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public Map<String, LoadedTensor> state() {
        return Collections.unmodifiableMap(state);
    }

    @Override
    public void loadState(Map<String, LoadedTensor> from) {
        ParameterSet.load(state, from);
        steps = Counter.load(stepCount);
    }
}
