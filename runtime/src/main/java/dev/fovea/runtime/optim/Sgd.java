package dev.fovea.runtime.optim;

import dev.fovea.runtime.train.Gradients;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.Parameters;
import java.util.Collections;
import java.util.Map;

/**
 * Stochastic gradient descent with PyTorch's semantics: g = grad + weightDecay * w; with momentum,
 * buf = momentum * buf + g (buf = g on the first step), and the step uses buf, or g + momentum * buf
 * with Nesterov; then w -= lr * step.
 */
public final class Sgd implements Optimizer {
    private final ParameterSet set;
    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;
    private final float[][] buffers;
    private final Map<String, LoadedTensor> state = ParameterSet.newState();
    private final float[] stepCount = new float[2];
    private double rate;
    private long steps;

    public Sgd(Parameters parameters, Gradients gradients, double rate, double momentum, double weightDecay, boolean nesterov,
            boolean decayBiasesAndNorms) {
        if (nesterov && momentum <= 0) {
            throw new IllegalArgumentException("Nesterov momentum needs a momentum above 0");
        }
        this.set = new ParameterSet(parameters, gradients, decayBiasesAndNorms);
        this.rate = rate;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.buffers = momentum > 0 ? set.buffers("momentum_buffer", state, parameters) : new float[0][];
        state.put("steps", new LoadedTensor(new int[] {2}, stepCount));
    }

    /** Plain SGD with momentum, as most of the seeds train. */
    public static Sgd withMomentum(Parameters parameters, Gradients gradients, double rate, double momentum, double weightDecay) {
        return new Sgd(parameters, gradients, rate, momentum, weightDecay, false, true);
    }

    @Override
    public void step() {
        float lr = (float) rate;
        float mu = (float) momentum;
        float first = steps == 0 ? 0 : 1;
        for (int t = 0; t < set.entries().size(); t++) {
            ParameterSet.Entry e = set.entries().get(t);
            float[] w = e.value();
            float[] g = e.grad();
            float decay = e.decay() ? (float) weightDecay : 0;
            if (buffers.length == 0) {
                for (int i = 0; i < w.length; i++) {
                    w[i] -= lr * (g[i] + decay * w[i]);
                }
                continue;
            }
            float[] buf = buffers[t];
            for (int i = 0; i < w.length; i++) {
                float d = g[i] + decay * w[i];
                float b = first * mu * buf[i] + d;
                buf[i] = b;
                w[i] -= lr * (nesterov ? d + mu * b : b);
            }
        }
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
