package dev.fovea.runtime.train;

/**
 * Softmax cross-entropy fused with the softmax, computed from log-sum-exp so that large logits cannot
 * overflow: loss = logsumexp(z) - sum_k q_k z_k with q = (1 - s) onehot(label) + s / K, and gradient
 * (softmax(z) - q) / batch.
 */
final class SoftmaxCrossEntropy implements Loss {
    private final double smoothing;

    SoftmaxCrossEntropy(double smoothing) {
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1) but is " + smoothing);
        }
        this.smoothing = smoothing;
    }

    @Override
    public Loss evaluation() {
        return smoothing == 0 ? this : new SoftmaxCrossEntropy(0);
    }

    @Override
    public double compute(float[] output, int[] labels, float[] grad, int batch, int classes) {
        double total = 0;
        for (int b = 0; b < batch; b++) {
            int label = labels[b];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " of sample " + b + " is not one of the " + classes + " classes");
            }
            int base = b * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                max = Math.max(max, output[base + k]);
            }
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                sum += Math.exp(output[base + k] - max);
            }
            double logSumExp = max + Math.log(sum);
            double loss = 0;
            for (int k = 0; k < classes; k++) {
                double target = (k == label ? 1 - smoothing : 0) + smoothing / classes;
                loss -= target * (output[base + k] - logSumExp);
                grad[base + k] = (float) ((Math.exp(output[base + k] - logSumExp) - target) / batch);
            }
            total += loss;
        }
        return total / batch;
    }
}
