package dev.fovea.runtime.optim;

import dev.fovea.runtime.train.Gradients;
import dev.fovea.runtime.weights.Parameters;

/**
 * Stochastic gradient descent with PyTorch's semantics: g = grad + weightDecay * w; with momentum,
 * buf = momentum * buf + g (buf = g on the first step), and the step uses buf, or g + momentum * buf
 * with Nesterov; then w -= lr * step.
 */
public final class Sgd extends StatefulOptimizer {
    private final ParameterSet set;
    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;
    private final float[][] buffers;

    public Sgd(Parameters parameters, Gradients gradients, double rate, double momentum, double weightDecay, boolean nesterov,
            boolean decayBiasesAndNorms) {
        super(rate);
        if (nesterov && momentum <= 0) {
            throw new IllegalArgumentException("Nesterov momentum needs a momentum above 0");
        }
        this.set = new ParameterSet(parameters, gradients, decayBiasesAndNorms);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.buffers = momentum > 0 ? set.buffers("momentum_buffer", state, parameters) : new float[0][];
        addStepCount();
    }

    /** Plain SGD with momentum, as most of the seeds train. */
    public static Sgd withMomentum(Parameters parameters, Gradients gradients, double rate, double momentum, double weightDecay) {
        return new Sgd(parameters, gradients, rate, momentum, weightDecay, false, true);
    }

    @Override
    ParameterSet parameterSet() {
        return set;
    }

    @Override
    public void step() {
        float mu = (float) momentum;
        float first = steps() == 0 ? 0 : 1;
        for (int t = 0; t < set.entries().size(); t++) {
            ParameterSet.Entry e = set.entries().get(t);
            float lr = (float) learningRate() * set.rateScale(t);
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
        stepped();
    }
}
