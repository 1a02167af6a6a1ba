package dev.fovea.runtime.kernels.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.exec.Workers;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Drop path drops whole samples: each sample's values are all zero or all scaled by 1 / (1 - rate), about
 * rate of the samples are dropped, the same seed drops the same samples, and the backward pass lets the
 * gradient through exactly where the forward pass let the values through.
 */
class DropPathTest {
    private static final int SAMPLES = 2000;
    private static final int SIZE = 12;

    private static float[] forward(float[] x, float[] mask, double rate, long seed) {
        float[] y = new float[x.length];
        try (Workers workers = new Workers(2)) {
            ElementwiseTrain.dropPathForward(x, y, mask, SAMPLES, SIZE, rate, () -> seed).accept(workers);
        }
        return y;
    }

    @Test
    void samplesAreDroppedWholeAtTheRateAndKeptOnesScaled() {
        Random r = new Random(3);
        float[] x = new float[SAMPLES * SIZE];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        double rate = 0.2;
        float[] mask = new float[x.length];
        float[] y = forward(x, mask, rate, 42);
        int dropped = 0;
        for (int b = 0; b < SAMPLES; b++) {
            boolean zero = mask[b * SIZE] == 0;
            dropped += zero ? 1 : 0;
            for (int i = b * SIZE; i < (b + 1) * SIZE; i++) {
                assertEquals(zero ? 0 : x[i] / (1 - rate), y[i], 1e-6, "sample " + b + " value " + i);
                assertEquals(mask[b * SIZE], mask[i], "one factor per sample");
            }
        }
        // binomial(2000, 0.2): mean 400, standard deviation about 18
        assertTrue(dropped > 330 && dropped < 470, dropped + " of " + SAMPLES + " samples dropped");

        float[] again = new float[x.length];
        assertArrayEquals(y, forward(x, again, rate, 42), "the same seed drops the same samples");
        assertNotEquals(java.util.Arrays.toString(mask), java.util.Arrays.toString(forwardMask(x, rate, 43)), "another step, other samples");

        float[] dy = new float[x.length];
        java.util.Arrays.fill(dy, 1f);
        float[] dx = new float[x.length];
        try (Workers workers = new Workers(2)) {
            ElementwiseTrain.multiplyBackward(dy, mask, dx, x.length).accept(workers);
        }
        for (int i = 0; i < x.length; i++) {
            assertEquals(mask[i], dx[i], 0, "the gradient passes where the value passed, scaled alike");
        }
    }

    private static float[] forwardMask(float[] x, double rate, long seed) {
        float[] mask = new float[x.length];
        forward(x, mask, rate, seed);
        return mask;
    }
}
