package dev.fovea.runtime.kernels.train;

import dev.fovea.runtime.exec.Workers;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * A linear layer for training (PyTorch's Linear: weight units x features), forward and backward:
 * <pre>
 *   forward      y  (n x units)     = x (n x features) . W^T + bias
 *   data grad    dx (n x features) += dy (n x units) . W (units x features)
 *   weight grad  dW (units x features) += dy^T (units x n) . x (n x features)
 * </pre>
 * Each task owns a block of units or features, and every sum runs over the batch or the units in order:
 * the same bits whatever the threads.
 */
public final class DenseTrain {
    private static final int BLOCK = 64;

    private DenseTrain() {}

    /** The forward pass over these arrays, built once. */
    public static Consumer<Workers> forward(float[] x, float[] weight, float[] bias, float[] y, int n, int features, int units) {
        IntConsumer block = t -> {
            int u0 = t * BLOCK;
            int u1 = Math.min(units, u0 + BLOCK);
            for (int b = 0; b < n; b++) {
                for (int u = u0; u < u1; u++) {
                    y[b * units + u] = bias == null ? 0 : bias[u];
                }
            }
            Gemm.nt(n, u1 - u0, features, x, 0, features, weight, u0 * features, features, y, u0, units);
        };
        int tasks = blocks(units);
        return workers -> workers.parallelFor(tasks, block);
    }

    /** The backward pass over these arrays, built once: accumulates dx, dw and db (each skipped when null). */
    public static Consumer<Workers> backward(float[] x, float[] weight, float[] dy, float[] dx, float[] dw, float[] db, int n, int features,
            int units) {
        IntConsumer dataBlock = t -> {
            int f0 = t * BLOCK;
            int f1 = Math.min(features, f0 + BLOCK);
            Gemm.nn(n, f1 - f0, units, dy, 0, units, 1, weight, f0, features, dx, f0, features);
        };
        IntConsumer weightBlock = t -> {
            int u0 = t * BLOCK;
            int u1 = Math.min(units, u0 + BLOCK);
            Gemm.nn(u1 - u0, features, n, dy, u0, 1, units, x, 0, features, dw, u0 * features, features);
        };
        return workers -> {
            if (dx != null) {
                workers.parallelFor(blocks(features), dataBlock);
            }
            if (dw != null) {
                workers.parallelFor(blocks(units), weightBlock);
            }
            if (db != null) {
                for (int u = 0; u < units; u++) {
                    double sum = 0;
                    for (int b = 0; b < n; b++) {
                        sum += dy[b * units + u];
                    }
                    db[u] += (float) sum;
                }
            }
        };
    }

    private static int blocks(int count) {
        return (count + BLOCK - 1) / BLOCK;
    }
}
