package dev.fovea.runtime.train;

/**
 * A loss over a batch of network outputs (logits, before a final softmax) and integer class labels:
 * its mean over the batch, and its gradient with respect to the outputs.
 */
public interface Loss {
    /**
     * Returns the mean loss of {@code batch} rows of {@code classes} outputs, and writes its gradient with
     * respect to each output into {@code grad} (same layout as {@code output}).
     */
    double compute(float[] output, int[] labels, float[] grad, int batch, int classes);

    /** Whether the outputs are penalties, the smallest the prediction (an RBF layer), rather than scores. */
    default boolean penalties() {
        return false;
    }

    /**
     * The loss to report on held-out data: the criterion without what only shapes training (label smoothing),
     * so that test losses compare across recipes.
     */
    default Loss evaluation() {
        return this;
    }

    /** Softmax cross-entropy, as PyTorch's {@code CrossEntropyLoss()}. */
    static Loss crossEntropy() {
        return new SoftmaxCrossEntropy(0);
    }

    /** Softmax cross-entropy against targets smoothed by {@code smoothing}, as PyTorch's {@code label_smoothing}. */
    static Loss crossEntropy(double smoothing) {
        return new SoftmaxCrossEntropy(smoothing);
    }
}
