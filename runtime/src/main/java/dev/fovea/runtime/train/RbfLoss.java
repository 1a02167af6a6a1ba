package dev.fovea.runtime.train;

/**
 * LeNet-5's criterion (LeCun et al. 1998, equation 9) for an RBF output layer whose outputs are
 * penalties (squared distances): E = y_label + log(e^-j + sum_i e^-y_i), averaged over the batch. The
 * first term pulls the correct class's penalty down, the second pushes the others' up; the constant
 * j keeps penalties that are already large from being pushed further.
 */
public final class RbfLoss implements Loss {
    private final double j;

    public RbfLoss(double j) {
        this.j = j;
    }

    @Override
    public boolean penalties() {
        return true;
    }

    @Override
    public double compute(float[] output, int[] labels, float[] grad, int batch, int classes) {
        double total = 0;
        for (int b = 0; b < batch; b++) {
            int base = b * classes;
            int label = labels[b];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " of sample " + b + " is not one of the " + classes + " classes");
            }
            double max = -j;
            for (int k = 0; k < classes; k++) {
                max = Math.max(max, -output[base + k]);
            }
            double sum = Math.exp(-j - max);
            for (int k = 0; k < classes; k++) {
                sum += Math.exp(-output[base + k] - max);
            }
            double logSum = max + Math.log(sum);
            total += output[base + label] + logSum;
            for (int k = 0; k < classes; k++) {
                double share = Math.exp(-output[base + k] - logSum);
                grad[base + k] = (float) (((k == label ? 1 : 0) - share) / batch);
            }
        }
        return total / batch;
    }
}
