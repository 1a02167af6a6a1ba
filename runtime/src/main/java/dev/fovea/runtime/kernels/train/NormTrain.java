package dev.fovea.runtime.kernels.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.VectorActivations;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Normalisation layers for training, forward and backward side by side, each built once per layer as a
 * pass over the layer's own arrays (nothing is allocated when it runs). Tensors are n x c x positions.
 * Sums run in float64 (each row of a batch norm's channel per vector lane in float first) and in a
 * fixed order, one task per channel (batch norm) or per sample (layer norm), so results do not depend
 * on the threads.
 */
public final class NormTrain {
    private NormTrain() {}

    /**
     * Batch norm in training mode: normalises with the batch's mean and biased variance, saves the mean
     * and 1/sqrt(var + eps) per channel for the backward pass, and moves the running statistics by
     * {@code momentum} as PyTorch does (the running variance takes the unbiased batch variance). Then
     * {@code after} (NONE, or an activation that runs in place on the norm's output) on each row while it
     * is still in L1: one pass over the tensor instead of two.
     */
    public static Consumer<Workers> batchNormForward(float[] x, float[] y, int n, int c, int positions, float[] gamma, float[] beta,
            float[] runningMean, float[] runningVar, double eps, double momentum, float[] savedMean, float[] savedInvStd, Activation after) {
        long count = (long) n * positions;
        IntConsumer channel = k -> {
            float[] lanes = LANES.get();
            double sum = 0;
            for (int b = 0; b < n; b++) {
                sum += rowSum(x, (b * c + k) * positions, positions, lanes);
            }
            double mean = sum / count;
            double squares = 0;
            for (int b = 0; b < n; b++) {
                squares += rowSquares(x, (b * c + k) * positions, positions, (float) mean, lanes);
            }
            double var = squares / count;
            double invStd = 1.0 / Math.sqrt(var + eps);
            float scale = (float) (gamma[k] * invStd);
            float shift = (float) (beta[k] - mean * gamma[k] * invStd);
            for (int b = 0; b < n; b++) {
                int at = (b * c + k) * positions;
                scaleRow(x, y, at, positions, scale, shift);
                VectorActivations.apply(y, at, at + positions, after, 0f);
            }
            savedMean[k] = (float) mean;
            savedInvStd[k] = (float) invStd;
            double unbiased = count > 1 ? squares / (count - 1) : var;
            runningMean[k] = (float) ((1 - momentum) * runningMean[k] + momentum * mean);
            runningVar[k] = (float) ((1 - momentum) * runningVar[k] + momentum * unbiased);
        };
        return workers -> workers.parallelFor(c, channel);
    }

    /**
     * dx += gamma * invStd / M * (M * dy - sum(dy) - xhat * sum(dy * xhat)), dgamma += sum(dy * xhat),
     * dbeta += sum(dy), per channel over M = n * positions values; dx, dgamma and dbeta may be null. With
     * {@code store}, dx = the same values (as adding into zeros), for the first writer of dx. With an
     * activation {@code after} (ReLU or ReLU6, in place on the norm's output, whose values are
     * {@code activated}; else NONE and null), dy is the activation's output gradient: each row's gradient
     * through the activation is formed in dx when dx is stored (the second pass reads it there and
     * overwrites it), else in a thread's row buffer, twice; its own pass would have written and read a
     * whole tensor more.
     */
    public static Consumer<Workers> batchNormBackward(float[] x, float[] dy, float[] dx, boolean store, int n, int c, int positions,
            float[] gamma, float[] savedMean, float[] savedInvStd, float[] dgamma, float[] dbeta, Activation after, float[] activated) {
        long count = (long) n * positions;
        boolean fused = after != Activation.NONE;
        // Stored, dx is free until its row is written: the rows through the activation wait there, read
        // from L2 by the second pass where they would be formed again from dy and y.
        boolean parked = fused && store && dx != null;
        IntConsumer channel = k -> {
            float[] lanes = LANES.get();
            float[] row = fused && !parked ? rowBuffer(positions) : null;
            double mean = savedMean[k];
            double invStd = savedInvStd[k];
            double sumDy = 0;
            double sumDyCentred = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * c + k) * positions;
                if (parked) {
                    ElementwiseTrain.activationGradientRow(after, activated, dy, base, dx, base, positions);
                    sumDy += rowSum(dx, base, positions, lanes);
                    sumDyCentred += rowProducts(dx, base, x, base, positions, savedMean[k], lanes);
                } else if (fused) {
                    ElementwiseTrain.activationGradientRow(after, activated, dy, base, row, 0, positions);
                    sumDy += rowSum(row, 0, positions, lanes);
                    sumDyCentred += rowProducts(row, 0, x, base, positions, savedMean[k], lanes);
                } else {
                    sumDy += rowSum(dy, base, positions, lanes);
                    sumDyCentred += rowProducts(dy, base, x, base, positions, savedMean[k], lanes);
                }
            }
            double sumDyXhat = sumDyCentred * invStd;
            if (dgamma != null) {
                dgamma[k] += (float) sumDyXhat;
            }
            if (dbeta != null) {
                dbeta[k] += (float) sumDy;
            }
            if (dx == null) {
                return;
            }
            double scale = gamma[k] * invStd;
            float a = (float) scale;
            float shift = (float) (-scale * sumDy / count);
            float slope = (float) (-scale * sumDyXhat / count * invStd);
            for (int b = 0; b < n; b++) {
                int base = (b * c + k) * positions;
                float[] g = dy;
                int gAt = base;
                if (parked) {
                    g = dx;
                } else if (fused) {
                    ElementwiseTrain.activationGradientRow(after, activated, dy, base, row, 0, positions);
                    g = row;
                    gAt = 0;
                }
                if (store) {
                    gradientRowStore(g, gAt, x, dx, base, positions, a, shift, slope, savedMean[k]);
                } else {
                    gradientRow(g, gAt, x, dx, base, positions, a, shift, slope, savedMean[k]);
                }
            }
        };
        return workers -> workers.parallelFor(c, channel);
    }

    private static final ThreadLocal<float[][]> ROW = ThreadLocal.withInitial(() -> new float[1][0]);

    /** A thread's buffer of at least {@code length} floats; it grows to the largest row, then stays. */
    private static float[] rowBuffer(int length) {
        float[][] holder = ROW.get();
        if (holder[0].length < length) {
            holder[0] = new float[length];
        }
        return holder[0];
    }

    /**
     * Frozen batch norm (its scale and shift not trained): the running statistics normalise in training as
     * in eval mode, and they do not move, so a fine-tuned network's frozen layers keep what they learnt.
     * y = x * gamma * invStd + (beta - mean * gamma * invStd), with invStd = 1/sqrt(runningVar + eps),
     * saved per channel for the backward pass.
     */
    public static Consumer<Workers> frozenBatchNormForward(float[] x, float[] y, int n, int c, int positions, float[] gamma, float[] beta,
            float[] runningMean, float[] runningVar, double eps, float[] savedInvStd) {
        IntConsumer channel = k -> {
            double invStd = 1.0 / Math.sqrt(runningVar[k] + eps);
            float scale = (float) (gamma[k] * invStd);
            float shift = (float) (beta[k] - runningMean[k] * gamma[k] * invStd);
            for (int b = 0; b < n; b++) {
                scaleRow(x, y, (b * c + k) * positions, positions, scale, shift);
            }
            savedInvStd[k] = (float) invStd;
        };
        return workers -> workers.parallelFor(c, channel);
    }

    /** dx += dy * gamma * invStd: with the statistics constant, the normalisation is a fixed scale per channel. */
    public static Consumer<Workers> frozenBatchNormBackward(float[] dy, float[] dx, int n, int c, int positions, float[] gamma,
            float[] savedInvStd) {
        IntConsumer channel = k -> {
            float scale = gamma[k] * savedInvStd[k];
            for (int b = 0; b < n; b++) {
                addScaledRow(dy, dx, (b * c + k) * positions, positions, scale);
            }
        };
        return workers -> workers.parallelFor(c, channel);
    }

    // Rows of one channel of one sample, in vectors. A row's sums run per lane in float, then the lanes are
    // added in order into a double: the same order every time, interpreted or compiled.

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[L]);

    /** The lanes a vector was stored into, added in order. */
    private static double inOrder(float[] lanes) {
        double sum = 0;
        for (int i = 0; i < L; i++) {
            sum += lanes[i];
        }
        return sum;
    }

    // The row sums keep four vectors of partial sums: one would wait on the previous add at every step
    // (four cycles for 16 floats), slower than L2 delivers a channel's rows. They add up in a fixed order.

    /** sum of x[at .. at + length - 1]. */
    private static double rowSum(float[] x, int at, int length, float[] lanes) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int p = 0;
        for (; p <= length - 4 * L; p += 4 * L) {
            a0 = a0.add(FloatVector.fromArray(S, x, at + p));
            a1 = a1.add(FloatVector.fromArray(S, x, at + p + L));
            a2 = a2.add(FloatVector.fromArray(S, x, at + p + 2 * L));
            a3 = a3.add(FloatVector.fromArray(S, x, at + p + 3 * L));
        }
        for (; p <= length - L; p += L) {
            a0 = a0.add(FloatVector.fromArray(S, x, at + p));
        }
        a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
        double sum = inOrder(lanes);
        for (; p < length; p++) {
            sum += x[at + p];
        }
        return sum;
    }

    /** sum of (x - mean)^2 over the row. */
    private static double rowSquares(float[] x, int at, int length, float mean, float[] lanes) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int p = 0;
        for (; p <= length - 4 * L; p += 4 * L) {
            FloatVector d0 = FloatVector.fromArray(S, x, at + p).sub(mean);
            FloatVector d1 = FloatVector.fromArray(S, x, at + p + L).sub(mean);
            FloatVector d2 = FloatVector.fromArray(S, x, at + p + 2 * L).sub(mean);
            FloatVector d3 = FloatVector.fromArray(S, x, at + p + 3 * L).sub(mean);
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
            a2 = d2.fma(d2, a2);
            a3 = d3.fma(d3, a3);
        }
        for (; p <= length - L; p += L) {
            FloatVector d = FloatVector.fromArray(S, x, at + p).sub(mean);
            a0 = d.fma(d, a0);
        }
        a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
        double sum = inOrder(lanes);
        for (; p < length; p++) {
            double d = x[at + p] - mean;
            sum += d * d;
        }
        return sum;
    }

    /** sum of dy * (x - mean) over the row, dy's from {@code dyAt} and x's from {@code at}. */
    private static double rowProducts(float[] dy, int dyAt, float[] x, int at, int length, float mean, float[] lanes) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int p = 0;
        for (; p <= length - 4 * L; p += 4 * L) {
            a0 = FloatVector.fromArray(S, x, at + p).sub(mean).fma(FloatVector.fromArray(S, dy, dyAt + p), a0);
            a1 = FloatVector.fromArray(S, x, at + p + L).sub(mean).fma(FloatVector.fromArray(S, dy, dyAt + p + L), a1);
            a2 = FloatVector.fromArray(S, x, at + p + 2 * L).sub(mean).fma(FloatVector.fromArray(S, dy, dyAt + p + 2 * L), a2);
            a3 = FloatVector.fromArray(S, x, at + p + 3 * L).sub(mean).fma(FloatVector.fromArray(S, dy, dyAt + p + 3 * L), a3);
        }
        for (; p <= length - L; p += L) {
            a0 = FloatVector.fromArray(S, x, at + p).sub(mean).fma(FloatVector.fromArray(S, dy, dyAt + p), a0);
        }
        a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
        double sum = inOrder(lanes);
        for (; p < length; p++) {
            sum += (double) dy[dyAt + p] * (x[at + p] - mean);
        }
        return sum;
    }

    /** y = x * scale + shift over the row. */
    private static void scaleRow(float[] x, float[] y, int at, int length, float scale, float shift) {
        int p = 0;
        for (; p <= length - L; p += L) {
            FloatVector.fromArray(S, x, at + p).fma(scale, shift).intoArray(y, at + p);
        }
        for (; p < length; p++) {
            y[at + p] = x[at + p] * scale + shift;
        }
    }

    /** dx += a * dy over the row. */
    private static void addScaledRow(float[] dy, float[] dx, int at, int length, float a) {
        int p = 0;
        for (; p <= length - L; p += L) {
            FloatVector.fromArray(S, dy, at + p).fma(FloatVector.broadcast(S, a), FloatVector.fromArray(S, dx, at + p)).intoArray(dx, at + p);
        }
        for (; p < length; p++) {
            dx[at + p] += a * dy[at + p];
        }
    }

    /** dx += a * dy + shift + slope * (x - mean) over the row, dy's from {@code dyAt}, x's and dx's from {@code at}. */
    private static void gradientRow(float[] dy, int dyAt, float[] x, float[] dx, int at, int length, float a, float shift, float slope,
            float mean) {
        int p = 0;
        for (; p <= length - L; p += L) {
            FloatVector centred = FloatVector.fromArray(S, x, at + p).sub(mean);
            FloatVector.fromArray(S, dy, dyAt + p).fma(FloatVector.broadcast(S, a), FloatVector.fromArray(S, dx, at + p).add(shift))
                    .add(centred.mul(slope))
                    .intoArray(dx, at + p);
        }
        for (; p < length; p++) {
            dx[at + p] += a * dy[dyAt + p] + shift + slope * (x[at + p] - mean);
        }
    }

    /** {@link #gradientRow} on zeros: dx = a * dy + shift + slope * (x - mean). */
    private static void gradientRowStore(float[] dy, int dyAt, float[] x, float[] dx, int at, int length, float a, float shift, float slope,
            float mean) {
        int p = 0;
        for (; p <= length - L; p += L) {
            FloatVector centred = FloatVector.fromArray(S, x, at + p).sub(mean);
            FloatVector.fromArray(S, dy, dyAt + p).fma(FloatVector.broadcast(S, a), FloatVector.broadcast(S, shift))
                    .add(centred.mul(slope))
                    .intoArray(dx, at + p);
        }
        for (; p < length; p++) {
            dx[at + p] = a * dy[dyAt + p] + shift + slope * (x[at + p] - mean);
        }
    }

    /** Layer norm over the channels at each position, saving each position's mean and 1/sqrt(var + eps). */
    public static Consumer<Workers> layerNormForward(float[] x, float[] y, int n, int c, int positions, float[] gamma, float[] beta,
            double eps, float[] savedMean, float[] savedInvStd) {
        IntConsumer sample = b -> {
            for (int p = 0; p < positions; p++) {
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    sum += x[(b * c + k) * positions + p];
                }
                double mean = sum / c;
                double squares = 0;
                for (int k = 0; k < c; k++) {
                    double d = x[(b * c + k) * positions + p] - mean;
                    squares += d * d;
                }
                double invStd = 1.0 / Math.sqrt(squares / c + eps);
                for (int k = 0; k < c; k++) {
                    int i = (b * c + k) * positions + p;
                    y[i] = (float) ((x[i] - mean) * invStd * gamma[k] + beta[k]);
                }
                savedMean[b * positions + p] = (float) mean;
                savedInvStd[b * positions + p] = (float) invStd;
            }
        };
        return workers -> workers.parallelFor(n, sample);
    }

    /**
     * Layer norm's backward. With g = dy * gamma: dx += invStd * (g - mean(g) - xhat * mean(g * xhat));
     * dgamma += sum over samples and positions of dy * xhat, dbeta += sum of dy. The parameter gradients
     * are summed per channel in sample order after the data gradient, so they too are deterministic.
     */
    public static Consumer<Workers> layerNormBackward(float[] x, float[] dy, float[] dx, int n, int c, int positions, float[] gamma,
            float[] savedMean, float[] savedInvStd, float[] dgamma, float[] dbeta) {
        IntConsumer sample = b -> {
            for (int p = 0; p < positions; p++) {
                double mean = savedMean[b * positions + p];
                double invStd = savedInvStd[b * positions + p];
                double sumG = 0;
                double sumGXhat = 0;
                for (int k = 0; k < c; k++) {
                    int i = (b * c + k) * positions + p;
                    double g = (double) dy[i] * gamma[k];
                    sumG += g;
                    sumGXhat += g * (x[i] - mean) * invStd;
                }
                double meanG = sumG / c;
                double meanGXhat = sumGXhat / c;
                for (int k = 0; k < c; k++) {
                    int i = (b * c + k) * positions + p;
                    double xhat = (x[i] - mean) * invStd;
                    dx[i] += (float) (invStd * ((double) dy[i] * gamma[k] - meanG - xhat * meanGXhat));
                }
            }
        };
        IntConsumer channel = k -> {
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int b = 0; b < n; b++) {
                for (int p = 0; p < positions; p++) {
                    int i = (b * c + k) * positions + p;
                    sumDy += dy[i];
                    sumDyXhat += dy[i] * (x[i] - savedMean[b * positions + p]) * (double) savedInvStd[b * positions + p];
                }
            }
            if (dgamma != null) {
                dgamma[k] += (float) sumDyXhat;
            }
            if (dbeta != null) {
                dbeta[k] += (float) sumDy;
            }
        };
        return workers -> {
            if (dx != null) {
                workers.parallelFor(n, sample);
            }
            if (dgamma != null || dbeta != null) {
                workers.parallelFor(c, channel);
            }
        };
    }

    /**
     * Local response norm's backward, for y_i = x_i * s_i^-beta with s_i = k + alpha/size * sum of x_j^2
     * over the window N(i): dx_j += dy_j * s_j^-beta - 2 * alpha * beta / size * x_j * sum over i with j in
     * N(i) of dy_i * x_i * s_i^(-beta-1). {@code scratch} holds n x c values: each sample's s_i at one position.
     */
    public static Consumer<Workers> localResponseNormBackward(float[] x, float[] dy, float[] dx, int n, int c, int positions, int size,
            double alpha, double beta, double k, double[] scratch) {
        IntConsumer sample = b -> {
            int s0 = b * c;
            for (int p = 0; p < positions; p++) {
                for (int ch = 0; ch < c; ch++) {
                    double sum = 0;
                    for (int j = Math.max(0, ch - size / 2); j <= Math.min(c - 1, ch + (size - 1) / 2); j++) {
                        double v = x[(b * c + j) * positions + p];
                        sum += v * v;
                    }
                    scratch[s0 + ch] = k + alpha / size * sum;
                }
                for (int j = 0; j < c; j++) {
                    int at = (b * c + j) * positions + p;
                    double cross = 0;
                    // i reads j when j lies in [i - size/2, i + (size-1)/2], that is i in [j - (size-1)/2, j + size/2].
                    for (int i = Math.max(0, j - (size - 1) / 2); i <= Math.min(c - 1, j + size / 2); i++) {
                        int ai = (b * c + i) * positions + p;
                        cross += dy[ai] * x[ai] * Math.pow(scratch[s0 + i], -beta - 1);
                    }
                    dx[at] += (float) (dy[at] * Math.pow(scratch[s0 + j], -beta) - 2 * alpha * beta / size * x[at] * cross);
                }
            }
        };
        return workers -> workers.parallelFor(n, sample);
    }

    /** Softmax's backward over the channels at each position: dx += y * (dy - sum(dy * y)). */
    public static void softmaxBackward(float[] y, float[] dy, float[] dx, int n, int c, int positions) {
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < positions; p++) {
                double dot = 0;
                for (int k = 0; k < c; k++) {
                    int i = (b * c + k) * positions + p;
                    dot += (double) dy[i] * y[i];
                }
                for (int k = 0; k < c; k++) {
                    int i = (b * c + k) * positions + p;
                    dx[i] += (float) (y[i] * (dy[i] - dot));
                }
            }
        }
    }
}
