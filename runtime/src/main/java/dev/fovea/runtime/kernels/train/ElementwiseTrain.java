package dev.fovea.runtime.kernels.train;

import dev.fovea.runtime.exec.Workers;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.Erf;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The backward passes of element-wise and per-channel layers, beside the few forward passes training
 * needs of its own (dropout's mask), each built once per layer as a pass over its arrays (nothing is
 * allocated when it runs). Tensors are n x c x positions.
 */
public final class ElementwiseTrain {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int CHUNK = 1 << 14;
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);

    private ElementwiseTrain() {}

    /** dx += dy * f'(x), from the activation's input x and output y (ReLU's gradient at 0 is 0, as PyTorch's). */
    public static Consumer<Workers> activationBackward(Activation f, float slope, float[] x, float[] y, float[] dy, float[] dx,
            int count) {
        return activationBackward(f, slope, x, y, dy, dx, count, false);
    }

    /**
     * {@link #activationBackward(Activation, float, float[], float[], float[], float[], int)}, or with
     * {@code store} dx = dy * f'(x): the same values as adding into zeros, for the first writer of dx.
     */
    public static Consumer<Workers> activationBackward(Activation f, float slope, float[] x, float[] y, float[] dy, float[] dx,
            int count, boolean store) {
        IntConsumer chunk = t -> {
            int to = Math.min(count, (t + 1) * CHUNK);
            int i = t * CHUNK;
            if (f == Activation.RELU && store) {
                i = reluStore(y, dy, dx, i, to);
            } else if (f == Activation.RELU) {
                // the gradient passes where the output is positive, as where the input is
                for (; i + L <= to; i += L) {
                    FloatVector.fromArray(S, dx, i).add(FloatVector.fromArray(S, dy, i),
                            FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f)).intoArray(dx, i);
                }
            } else if (f == Activation.RELU6 && store) {
                i = relu6Store(y, dy, dx, i, to);
            } else if (f == Activation.RELU6) {
                // and for ReLU6 where it is also below 6
                for (; i + L <= to; i += L) {
                    FloatVector out = FloatVector.fromArray(S, y, i);
                    FloatVector.fromArray(S, dx, i).add(FloatVector.fromArray(S, dy, i),
                            out.compare(VectorOperators.GT, 0f).and(out.compare(VectorOperators.LT, 6f))).intoArray(dx, i);
                }
            }
            for (; i < to; i++) {
                dx[i] = (store ? 0 : dx[i]) + dy[i] * derivative(f, slope, x[i], y[i]);
            }
        };
        int tasks = (count + CHUNK - 1) / CHUNK;
        return workers -> workers.parallelFor(tasks, chunk);
    }

    /** ReLU's dx = dy where y is positive, else 0, from {@code from} while whole vectors fit below {@code to}; returns where it stopped. */
    private static int reluStore(float[] y, float[] dy, float[] dx, int from, int to) {
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector.zero(S).add(FloatVector.fromArray(S, dy, i), FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f)).intoArray(dx, i);
        }
        return i;
    }

    /** ReLU6's dx = dy where y lies in (0, 6), else 0, as {@link #reluStore}. */
    private static int relu6Store(float[] y, float[] dy, float[] dx, int from, int to) {
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector out = FloatVector.fromArray(S, y, i);
            FloatVector.zero(S).add(FloatVector.fromArray(S, dy, i), out.compare(VectorOperators.GT, 0f).and(out.compare(VectorOperators.LT, 6f)))
                    .intoArray(dx, i);
        }
        return i;
    }

    /**
     * g[gAt, gAt + length) = dy * f'(y) for the row of dy and y from {@code at}: ReLU's or ReLU6's gradient from its
     * output y, with {@link #activationBackward}'s values on zeros. For an activation fused into the layer
     * before it, whose backward pass reads the row from {@code g} while it is in L1.
     */
    public static void activationGradientRow(Activation f, float[] y, float[] dy, int at, float[] g, int gAt, int length) {
        if (f != Activation.RELU && f != Activation.RELU6) {
            throw new IllegalArgumentException("only ReLU and ReLU6 run fused, not " + f);
        }
        int p = 0;
        if (f == Activation.RELU) {
            for (; p <= length - L; p += L) {
                FloatVector.zero(S).add(FloatVector.fromArray(S, dy, at + p), FloatVector.fromArray(S, y, at + p).compare(VectorOperators.GT, 0f))
                        .intoArray(g, gAt + p);
            }
        } else {
            for (; p <= length - L; p += L) {
                FloatVector out = FloatVector.fromArray(S, y, at + p);
                FloatVector.zero(S).add(FloatVector.fromArray(S, dy, at + p), out.compare(VectorOperators.GT, 0f).and(out.compare(VectorOperators.LT, 6f)))
                        .intoArray(g, gAt + p);
            }
        }
        for (; p < length; p++) {
            g[gAt + p] = 0 + dy[at + p] * derivative(f, 0f, y[at + p], y[at + p]);
        }
    }

    static float derivative(Activation f, float slope, float x, float y) {
        return switch (f) {
            case NONE -> 1;
            case RELU -> x > 0 ? 1 : 0;
            case RELU6 -> x > 0 && x < 6 ? 1 : 0;
            case LEAKY_RELU -> x > 0 ? 1 : slope;
            case TANH -> 1 - y * y;
            case SIGMOID -> y * (1 - y);
            case SILU -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield (float) (s * (1 + x * (1 - s)));
            }
            case GELU -> (float) (0.5 * (1 + Erf.erf(x / Math.sqrt(2.0))) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x));
            // PyTorch's: at the kinks the left side's slope for hard-swish, 0 for hard-sigmoid
            case HARD_SWISH -> x < -3 ? 0 : x <= 3 ? x / 3 + 0.5f : 1;
            case HARD_SIGMOID -> x > -3 && x < 3 ? 1f / 6 : 0;
        };
    }

    /**
     * Inverted dropout: keeps each value with probability 1 - rate, scaled by 1 / (1 - rate). The mask comes
     * from a counter-based hash of (the step's seed, read when the pass runs, and the index), so it is the
     * same whatever thread computes it; the kept scale of each value is written to {@code mask} for the
     * backward pass.
     */
    public static Consumer<Workers> dropoutForward(float[] x, float[] y, float[] mask, int count, double rate, LongSupplier seed) {
        float keep = (float) (1.0 / (1.0 - rate));
        long threshold = (long) (rate * (1L << 53));
        IntConsumer chunk = t -> {
            int to = Math.min(count, (t + 1) * CHUNK);
            long stepSeed = seed.getAsLong();
            for (int i = t * CHUNK; i < to; i++) {
                float m = (mix(stepSeed + i) >>> 11) < threshold ? 0 : keep;
                mask[i] = m;
                y[i] = x[i] * m;
            }
        };
        int tasks = (count + CHUNK - 1) / CHUNK;
        return workers -> workers.parallelFor(tasks, chunk);
    }

    /**
     * Drop path: each of {@code samples} samples of {@code size} values is kept whole (scaled by 1 / (1 - rate))
     * or zeroed, with probability {@code rate}; the mask holds the factor for every value, for the backward pass.
     */
    public static Consumer<Workers> dropPathForward(float[] x, float[] y, float[] mask, int samples, int size, double rate, LongSupplier seed) {
        float keep = (float) (1.0 / (1.0 - rate));
        long threshold = (long) (rate * (1L << 53));
        IntConsumer sample = b -> {
            float m = (mix(seed.getAsLong() + b) >>> 11) < threshold ? 0 : keep;
            int from = b * size;
            java.util.Arrays.fill(mask, from, from + size, m);
            for (int i = from; i < from + size; i++) {
                y[i] = x[i] * m;
            }
        };
        return workers -> workers.parallelFor(samples, sample);
    }

    /** dx += dy * factor[i]: dropout's backward with its mask. */
    public static Consumer<Workers> multiplyBackward(float[] dy, float[] factor, float[] dx, int count) {
        IntConsumer chunk = t -> {
            int to = Math.min(count, (t + 1) * CHUNK);
            for (int i = t * CHUNK; i < to; i++) {
                dx[i] += dy[i] * factor[i];
            }
        };
        int tasks = (count + CHUNK - 1) / CHUNK;
        return workers -> workers.parallelFor(tasks, chunk);
    }

    /** SplitMix64's finaliser: a well-mixed 64-bit value for each counter. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** dx += dy, over {@code count} values from the given offsets. */
    public static Consumer<Workers> addInto(float[] dy, int dyOff, float[] dx, int dxOff, int count) {
        IntConsumer chunk = t -> {
            int from = t * CHUNK;
            int to = Math.min(count, from + CHUNK);
            int i = from;
            for (; i + L <= to; i += L) {
                FloatVector.fromArray(S, dx, dxOff + i).add(FloatVector.fromArray(S, dy, dyOff + i)).intoArray(dx, dxOff + i);
            }
            for (; i < to; i++) {
                dx[dxOff + i] += dy[dyOff + i];
            }
        };
        int tasks = (count + CHUNK - 1) / CHUNK;
        return workers -> workers.parallelFor(tasks, chunk);
    }

    /**
     * A residual addition's two inputs, dy read once: da = dy with {@code storeA} (for the first writer of
     * da), else da += dy, and likewise db.
     */
    public static Consumer<Workers> intoBoth(float[] dy, float[] da, boolean storeA, float[] db, boolean storeB, int count) {
        IntConsumer chunk = t -> {
            int from = t * CHUNK;
            int to = Math.min(count, from + CHUNK);
            int i = storeA && storeB ? copyBoth(dy, da, db, from, to) : storeA ? copyAndAdd(dy, da, db, from, to)
                    : storeB ? copyAndAdd(dy, db, da, from, to) : addBoth(dy, da, db, from, to);
            for (; i < to; i++) {
                da[i] = (storeA ? 0 : da[i]) + dy[i];
                db[i] = (storeB ? 0 : db[i]) + dy[i];
            }
        };
        int tasks = (count + CHUNK - 1) / CHUNK;
        return workers -> workers.parallelFor(tasks, chunk);
    }

    /**
     * The backward pass of a residual addition with a ReLU or ReLU6 after it: the gradient through the
     * activation (from its output gradient dy and output y) goes to da and db as {@link #intoBoth} sends
     * dy, each chunk formed in a thread's buffer, in cache, instead of a tensor of its own. da or db is
     * null for an input without a gradient.
     */
    public static Consumer<Workers> activationIntoBoth(Activation f, float[] y, float[] dy, float[] da, boolean storeA, float[] db,
            boolean storeB, int count) {
        ThreadLocal<float[]> buffers = ThreadLocal.withInitial(() -> new float[CHUNK]);
        IntConsumer chunk = t -> {
            int from = t * CHUNK;
            int length = Math.min(count, from + CHUNK) - from;
            float[] g = buffers.get();
            activationGradientRow(f, y, dy, from, g, 0, length);
            if (da != null) {
                into(g, da, from, length, storeA);
            }
            if (db != null) {
                into(g, db, from, length, storeB);
            }
        };
        int tasks = (count + CHUNK - 1) / CHUNK;
        return workers -> workers.parallelFor(tasks, chunk);
    }

    /** d[at, at + length) = g[0, length) with {@code store}, else +=. */
    private static void into(float[] g, float[] d, int at, int length, boolean store) {
        if (store) {
            System.arraycopy(g, 0, d, at, length);
            return;
        }
        int i = 0;
        for (; i + L <= length; i += L) {
            FloatVector.fromArray(S, d, at + i).add(FloatVector.fromArray(S, g, i)).intoArray(d, at + i);
        }
        for (; i < length; i++) {
            d[at + i] += g[i];
        }
    }

    // The loops of intoBoth, one per case, each over whole vectors from `from` while they fit below `to`;
    // each returns where it stopped.

    private static int copyBoth(float[] dy, float[] da, float[] db, int from, int to) {
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector g = FloatVector.fromArray(S, dy, i);
            g.intoArray(da, i);
            g.intoArray(db, i);
        }
        return i;
    }

    /** copy = dy, sum += dy. */
    private static int copyAndAdd(float[] dy, float[] copy, float[] sum, int from, int to) {
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector g = FloatVector.fromArray(S, dy, i);
            g.intoArray(copy, i);
            FloatVector.fromArray(S, sum, i).add(g).intoArray(sum, i);
        }
        return i;
    }

    private static int addBoth(float[] dy, float[] da, float[] db, int from, int to) {
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector g = FloatVector.fromArray(S, dy, i);
            FloatVector.fromArray(S, da, i).add(g).intoArray(da, i);
            FloatVector.fromArray(S, db, i).add(g).intoArray(db, i);
        }
        return i;
    }

    /** dx = dy over {@code count} values from the given offsets: {@link #addInto}'s values on zeros, for the first writer of dx. */
    public static Consumer<Workers> copyInto(float[] dy, int dyOff, float[] dx, int dxOff, int count) {
        IntConsumer chunk = t -> {
            int from = t * CHUNK;
            System.arraycopy(dy, dyOff + from, dx, dxOff + from, Math.min(count, from + CHUNK) - from);
        };
        int tasks = (count + CHUNK - 1) / CHUNK;
        return workers -> workers.parallelFor(tasks, chunk);
    }

    /**
     * Backward of y = x * s[channel] (layer scale, {@code perSample} false) or of squeeze-and-excitation's
     * y = x * gate[sample, channel]: dx += dy * s, ds += sum over positions (and samples) of dy * x.
     */
    public static Consumer<Workers> scaleBackward(float[] x, float[] s, float[] dy, float[] dx, float[] ds, int n, int c, int positions,
            boolean perSample) {
        IntConsumer channel = k -> {
            double total = 0;
            for (int b = 0; b < n; b++) {
                float factor = s[perSample ? b * c + k : k];
                int base = (b * c + k) * positions;
                double sum = 0;
                for (int p = 0; p < positions; p++) {
                    if (dx != null) {
                        dx[base + p] += dy[base + p] * factor;
                    }
                    sum += (double) dy[base + p] * x[base + p];
                }
                if (perSample && ds != null) {
                    ds[b * c + k] += (float) sum;
                }
                total += sum;
            }
            if (!perSample && ds != null) {
                ds[k] += (float) total;
            }
        };
        return workers -> workers.parallelFor(c, channel);
    }

    /**
     * LeNet-5's subsampling, y = w[c] * window sum + b[c] (no padding, no overlap needed): dx += dy * w over
     * the window, dw += sum of dy * window sum, db += sum of dy.
     */
    public static void subsampleBackward(float[] x, float[] dy, float[] dx, float[] weight, float[] dw, float[] db, int n, int c, int ih,
            int iw, int oh, int ow, int kh, int kw, int sh, int sw) {
        for (int k = 0; k < c; k++) {
            double sumW = 0;
            double sumB = 0;
            for (int b = 0; b < n; b++) {
                int p = b * c + k;
                for (int y = 0; y < oh; y++) {
                    for (int xx = 0; xx < ow; xx++) {
                        float g = dy[(p * oh + y) * ow + xx];
                        double window = 0;
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                int i = (p * ih + y * sh + ky) * iw + xx * sw + kx;
                                window += x[i];
                                if (dx != null) {
                                    dx[i] += g * weight[k];
                                }
                            }
                        }
                        sumW += g * window;
                        sumB += g;
                    }
                }
            }
            if (dw != null) {
                dw[k] += (float) sumW;
                db[k] += (float) sumB;
            }
        }
    }

    /** LeNet-5's RBF output y[u] = sum_f (x[f] - w[u, f])^2: dx[f] += sum_u 2 dy[u] (x[f] - w[u, f]), dw gets the negative. */
    public static void euclideanRbfBackward(float[] x, float[] weight, float[] dy, float[] dx, float[] dw, int n, int features, int units) {
        for (int b = 0; b < n; b++) {
            for (int u = 0; u < units; u++) {
                float g = 2 * dy[b * units + u];
                for (int f = 0; f < features; f++) {
                    float d = g * (x[b * features + f] - weight[u * features + f]);
                    if (dx != null) {
                        dx[b * features + f] += d;
                    }
                    if (dw != null) {
                        dw[u * features + f] -= d;
                    }
                }
            }
        }
    }
}
