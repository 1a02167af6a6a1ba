package dev.fovea.runtime.kernels.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.VectorActivations;
import org.junit.jupiter.api.Test;

/**
 * Hard-swish and hard-sigmoid against Debian's PyTorch 1.13 ({@code torch.nn.functional.hardswish} and
 * {@code hardsigmoid} and their gradients) at points either side of and on the kinks at -3 and 3.
 */
class HardActivationsTest {
    private static final float[] X = {-4, -3, -1.5f, 0, 1, 3, 4};

    @Test
    void hardSwishIsPyTorchs() {
        check(Activation.HARD_SWISH, new float[] {-0f, -0f, -0.375f, 0, 0.6666666865348816f, 3, 4},
                new float[] {0, -0.5f, 0, 0.5f, 0.8333333730697632f, 1.5f, 1});
    }

    @Test
    void hardSigmoidIsPyTorchs() {
        float sixth = 0.1666666716337204f;
        check(Activation.HARD_SIGMOID, new float[] {0, 0, 0.25f, 0.5f, 0.6666666865348816f, 1, 1},
                new float[] {0, 0, sixth, sixth, sixth, 0, 0});
    }

    private static void check(Activation f, float[] values, float[] slopes) {
        // the vector loop and the scalar tail alike: the points repeated past a vector's length
        int n = 3 * X.length * 16;
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = X[i % X.length];
        }
        VectorActivations.apply(data, 0, n, f, 0);
        for (int i = 0; i < n; i++) {
            assertEquals(values[i % X.length], data[i], 1e-7, f + " at " + X[i % X.length] + " (element " + i + ")");
        }
        float[] derivatives = new float[X.length];
        for (int i = 0; i < X.length; i++) {
            assertEquals(values[i], f.apply(X[i], 0), 1e-7, f + " at " + X[i]);
            derivatives[i] = ElementwiseTrain.derivative(f, 0, X[i], values[i]);
        }
        assertArrayEquals(slopes, derivatives, 1e-7f, f + "'s derivative");
    }
}
