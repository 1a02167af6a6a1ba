package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The layers that touch every value once or twice, NCHW, shared among the workers and a vector at a
 * time: per-channel affine maps (batch norm in inference, with an activation after it), additions,
 * channel scaling (squeeze-and-excitation), global average pooling, concatenation, and layer norm over
 * the channels at each position. Each {@code prepare} makes its task once, so a run allocates nothing.
 */
public final class ChannelOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int CHUNK = 1 << 14;

    private ChannelOps() {}

    /** A step whose activation can still be set while the plan is built. */
    public static final class Affine implements Consumer<Workers> {
        private final IntConsumer task;
        private final int planes;
        private Activation activation = Activation.NONE;
        private float slope;

        Affine(float[] in, float[] out, int n, int channels, int positions, float[] scale, float[] shift) {
            this.planes = n * channels;
            this.task = plane -> {
                int c = plane % channels;
                FloatVector s = FloatVector.broadcast(S, scale[c]);
                FloatVector t = FloatVector.broadcast(S, shift[c]);
                int base = plane * positions;
                int end = base + positions;
                int i = base;
                for (; i + L <= end; i += L) {
                    FloatVector.fromArray(S, in, i).fma(s, t).intoArray(out, i);
                }
                for (; i < end; i++) {
                    out[i] = in[i] * scale[c] + shift[c];
                }
                VectorActivations.apply(out, base, end, activation, slope);
            };
        }

        public boolean hasActivation() {
            return activation != Activation.NONE;
        }

        public void activation(Activation a, float s) {
            this.activation = a;
            this.slope = s;
        }

        @Override
        public void accept(Workers workers) {
            workers.parallelFor(planes, task);
        }
    }

    /** out = in * scale[c] + shift[c], per channel. */
    public static Affine affine(float[] in, float[] out, int n, int channels, int positions, float[] scale, float[] shift) {
        return new Affine(in, out, n, channels, positions, scale, shift);
    }

    /** out = a + b over {@code count} values. */
    public static Consumer<Workers> add(float[] a, float[] b, float[] out, int count) {
        IntConsumer task = t -> {
            int from = t * CHUNK;
            add(a, from, b, from, out, from, Math.min(count, from + CHUNK) - from);
        };
        int tasks = (count + CHUNK - 1) / CHUNK;
        return workers -> workers.parallelFor(tasks, task);
    }

    /** {@link #add(float[], float[], float[], int)}, then {@code after} on each chunk of the sum while it is in cache. */
    public static Consumer<Workers> add(float[] a, float[] b, float[] out, int count, Activation after) {
        IntConsumer task = t -> {
            int from = t * CHUNK;
            int to = Math.min(count, from + CHUNK);
            add(a, from, b, from, out, from, to - from);
            VectorActivations.apply(out, from, to, after, 0f);
        };
        int tasks = (count + CHUNK - 1) / CHUNK;
        return workers -> workers.parallelFor(tasks, task);
    }

    /** out[outAt...] = a[aAt...] + b[bAt...] over {@code count} values, on the calling thread. */
    static void add(float[] a, int aAt, float[] b, int bAt, float[] out, int outAt, int count) {
        int i = 0;
        for (; i + L <= count; i += L) {
            FloatVector.fromArray(S, a, aAt + i).add(FloatVector.fromArray(S, b, bAt + i)).intoArray(out, outAt + i);
        }
        for (; i < count; i++) {
            out[outAt + i] = a[aAt + i] + b[bAt + i];
        }
    }

    /** out = x * gates[sample, channel], each plane scaled by its gate. */
    public static Consumer<Workers> scaleChannels(float[] x, float[] gates, float[] out, int n, int channels, int positions) {
        IntConsumer task = plane -> {
            FloatVector g = FloatVector.broadcast(S, gates[plane]);
            int base = plane * positions;
            int end = base + positions;
            int i = base;
            for (; i + L <= end; i += L) {
                FloatVector.fromArray(S, x, i).mul(g).intoArray(out, i);
            }
            for (; i < end; i++) {
                out[i] = x[i] * gates[plane];
            }
        };
        return workers -> workers.parallelFor(n * channels, task);
    }

    /**
     * The mean of each plane: n x c x positions to n x c. The lanes' sums are added in order: {@code reduceLanes(ADD)}
     * leaves the order open, and the interpreter and compiled code choose differently, so a network's output
     * changed in its last bits as the kernel warmed up.
     */
    public static Consumer<Workers> globalAveragePool(float[] in, float[] out, int planes, int positions) {
        float inverse = 1f / positions;
        IntConsumer task = plane -> {
            int base = plane * positions;
            int end = base + positions;
            FloatVector sum = FloatVector.zero(S);
            int i = base;
            for (; i + L <= end; i += L) {
                sum = sum.add(FloatVector.fromArray(S, in, i));
            }
            float[] lanes = LANES.get();
            sum.intoArray(lanes, 0);
            float total = 0;
            for (float lane : lanes) {
                total += lane;
            }
            for (; i < end; i++) {
                total += in[i];
            }
            out[plane] = total * inverse;
        };
        return workers -> workers.parallelFor(planes, task);
    }

    /** A vector's lanes, to be added in order. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[L]);

    /** Floats per copy task of a concatenation: a large input is shared among the workers. */
    private static final int COPY_CHUNK = 16 * 1024;

    /**
     * Concatenation along channels: each (input, sample) slice, cut into pieces of at most
     * {@link #COPY_CHUNK} floats, one copy task per piece (DenseNet copies its whole growing tensor at
     * every layer; one task per slice left it to a single thread). A null input is already in place in
     * {@code out} and is skipped. Whole blocks of a channel-blocked tensor are contiguous per sample as
     * NCHW channels are, so the same copy joins blocked inputs whose channels fill whole blocks.
     */
    public static Consumer<Workers> concat(float[][] ins, int[] channels, float[] out, int n, int positions) {
        int total = 0;
        int[] at = new int[ins.length];
        for (int i = 0; i < ins.length; i++) {
            at[i] = total;
            total += channels[i];
        }
        int pieces = 0;
        for (int i = 0; i < ins.length; i++) {
            if (ins[i] != null) {
                pieces += n * ((channels[i] * positions + COPY_CHUNK - 1) / COPY_CHUNK);
            }
        }
        int[] input = new int[pieces];
        int[] from = new int[pieces];
        int[] to = new int[pieces];
        int[] length = new int[pieces];
        int piece = 0;
        for (int sample = 0; sample < n; sample++) {
            for (int i = 0; i < ins.length; i++) {
                if (ins[i] == null) {
                    continue;
                }
                int size = channels[i] * positions;
                for (int offset = 0; offset < size; offset += COPY_CHUNK) {
                    input[piece] = i;
                    from[piece] = sample * size + offset;
                    to[piece] = (sample * total + at[i]) * positions + offset;
                    length[piece] = Math.min(COPY_CHUNK, size - offset);
                    piece++;
                }
            }
        }
        IntConsumer task = t -> System.arraycopy(ins[input[t]], from[t], out, to[t], length[t]);
        int tasks = pieces;
        return workers -> workers.parallelFor(tasks, task);
    }

    /**
     * Layer norm over the c channels at each position, a vector of positions at a time: each task takes
     * one sample's block of L positions and sums down the channels.
     */
    public static Consumer<Workers> layerNorm(float[] in, float[] out, int n, int c, int positions, float[] gamma, float[] beta,
            double eps) {
        int blocks = (positions + L - 1) / L;
        float epsilon = (float) eps;
        IntConsumer task = t -> {
            int sample = t / blocks;
            int p = (t % blocks) * L;
            VectorMask<Float> m = S.indexInRange(p, positions);
            int base = sample * c * positions + p;
            FloatVector sum = FloatVector.zero(S);
            for (int k = 0; k < c; k++) {
                sum = sum.add(FloatVector.fromArray(S, in, base + k * positions, m));
            }
            FloatVector mean = sum.div(c);
            FloatVector squares = FloatVector.zero(S);
            for (int k = 0; k < c; k++) {
                FloatVector d = FloatVector.fromArray(S, in, base + k * positions, m).sub(mean);
                squares = d.fma(d, squares);
            }
            FloatVector inv = squares.div(c).add(epsilon).sqrt();
            inv = FloatVector.broadcast(S, 1f).div(inv);
            for (int k = 0; k < c; k++) {
                int at = base + k * positions;
                FloatVector.fromArray(S, in, at, m).sub(mean).mul(inv).mul(gamma[k]).add(beta[k]).intoArray(out, at, m);
            }
        };
        return workers -> workers.parallelFor(n * blocks, task);
    }
}
