package dev.fovea.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Softmax cross-entropy, with and without label smoothing, against PyTorch and a float64 oracle. */
class LossTest {
    private static final float[] LOGITS = {1, 2, 3, 0.5f, -1, 0, 2, 1};
    private static final int[] LABELS = {2, 0};

    @Test
    void labelSmoothingMatchesPyTorch() {
        // torch.nn.functional.cross_entropy(x, y, label_smoothing=0.1) and x.grad after backward, in float64 (torch 1.13)
        float[] grad = new float[8];
        double loss = Loss.crossEntropy(0.1).compute(LOGITS, LABELS, grad, 2, 4);
        assertEquals(1.944231593859023, loss, 1e-6);
        double[] expected = {0.030184446754894446, 0.10352835597165724, -0.14710222837626663, 0.013389425649714903,
                -0.4464706983599575, 0.031072159371016286, 0.30945712994398616, 0.10594140904495508};
        for (int i = 0; i < 8; i++) {
            assertEquals(expected[i], grad[i], 1e-6, "gradient " + i);
        }
    }

    @Test
    void theEvaluationLossIsWithoutSmoothing() {
        float[] grad = new float[8];
        assertEquals(1.9504815938590232, Loss.crossEntropy(0.1).evaluation().compute(LOGITS, LABELS, grad, 2, 4), 1e-6);
        Loss plain = Loss.crossEntropy();
        assertSame(plain, plain.evaluation());
    }

    @Test
    void smoothedLossAndGradientMatchAFloat64Oracle() {
        int batch = 5;
        int classes = 7;
        double smoothing = 0.25;
        SplittableRandom random = new SplittableRandom(3);
        float[] logits = new float[batch * classes];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextDouble(-4, 4);
        }
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++) {
            labels[b] = random.nextInt(classes);
        }
        float[] grad = new float[logits.length];
        double loss = Loss.crossEntropy(smoothing).compute(logits, labels, grad, batch, classes);

        // the target puts 1 - smoothing on the label and smoothing / classes on every class
        double expectedLoss = 0;
        for (int b = 0; b < batch; b++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                max = Math.max(max, logits[b * classes + k]);
            }
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                sum += Math.exp(logits[b * classes + k] - max);
            }
            for (int k = 0; k < classes; k++) {
                double logP = logits[b * classes + k] - max - Math.log(sum);
                double target = (k == labels[b] ? 1 - smoothing : 0) + smoothing / classes;
                expectedLoss -= target * logP / batch;
                assertEquals((Math.exp(logP) - target) / batch, grad[b * classes + k], 1e-6, "gradient of sample " + b + ", class " + k);
            }
        }
        assertEquals(expectedLoss, loss, 1e-6);
    }
}
