package dev.fovea.runtime.optim;

import dev.fovea.runtime.train.Gradients;
import dev.fovea.runtime.weights.Parameters;

/**
 * Adam and AdamW with PyTorch's semantics. Adam adds weightDecay * w to the gradient; AdamW (decoupled)
 * first shrinks w by lr * weightDecay. Then m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, and
 * w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 */
public final class Adam extends StatefulOptimizer {
    private final ParameterSet set;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;
    private final float[][] first;
    private final float[][] second;

    public Adam(Parameters parameters, Gradients gradients, double rate, double beta1, double beta2, double eps, double weightDecay,
            boolean decoupled, boolean decayBiasesAndNorms) {
        super(rate);
        this.set = new ParameterSet(parameters, gradients, decayBiasesAndNorms);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        this.first = set.buffers("exp_avg", state, parameters);
        this.second = set.buffers("exp_avg_sq", state, parameters);
        addStepCount();
    }

    /** PyTorch's Adam defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static Adam adam(Parameters parameters, Gradients gradients, double rate) {
        return new Adam(parameters, gradients, rate, 0.9, 0.999, 1e-8, 0, false, true);
    }

    /** PyTorch's AdamW defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public static Adam adamW(Parameters parameters, Gradients gradients, double rate) {
        return new Adam(parameters, gradients, rate, 0.9, 0.999, 1e-8, 0.01, true, true);
    }

    @Override
    ParameterSet parameterSet() {
        return set;
    }

    @Override
    public void step() {
        stepped();
        double rate = learningRate();
        double correction1 = 1 - Math.pow(beta1, steps());
        double correction2 = 1 - Math.pow(beta2, steps());
        float baseStepSize = (float) (rate / correction1);
        float sqrtCorrection2 = (float) Math.sqrt(correction2);
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float epsilon = (float) eps;
        for (int t = 0; t < set.entries().size(); t++) {
            ParameterSet.Entry e = set.entries().get(t);
            float[] w = e.value();
            float[] g = e.grad();
            float[] m = first[t];
            float[] v = second[t];
            float scale = set.rateScale(t);
            float stepSize = baseStepSize * scale;
            float decay = e.decay() ? (float) weightDecay : 0;
            float shrink = decoupled ? (float) (1 - rate * scale * decay) : 1;
            float coupled = decoupled ? 0 : decay;
            for (int i = 0; i < w.length; i++) {
                float grad = g[i] + coupled * w[i];
                m[i] = b1 * m[i] + (1 - b1) * grad;
                v[i] = b2 * v[i] + (1 - b2) * grad * grad;
                w[i] = w[i] * shrink - stepSize * m[i] / ((float) Math.sqrt(v[i]) / sqrtCorrection2 + epsilon);
            }
        }
    }
}
