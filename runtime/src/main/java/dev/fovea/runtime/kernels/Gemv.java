package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense layers: out[n, u] = sum over f of in[n, f] * weight[u, f], vectorised over units. The weights are
 * packed once as [unit block][feature][{@link #WIDTH} units], so a block's weights lie in one sequential
 * run (AlexNet's and VGG's large layers are bound by that stream at small batches). Each weight vector
 * meets up to {@link #GROUP} samples' inputs, broadcast, with the sums in registers: a 2-vector by
 * 12-sample tile, 24 accumulators, as the convolutions' channel-vector tiles.
 *
 * <p>Each sum is four partial sums, one per quarter of the features, each over its quarter in order, added
 * as (q0 + q1) + (q2 + q3): so a sample alone streams its block's weights as four streams side by side (one
 * per quarter), the quarters in step, while a batch runs each quarter in chunks whose weights every
 * sample group reads from L1, the partial sums waiting in a thread's array between chunks. Either way each
 * sum takes the same steps in the same order, so a sample gets the same bits at any batch size.
 */
public final class Gemv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Units of a block: two vectors. */
    static final int WIDTH = 2 * L;
    /**
     * Samples of the largest tile: 12 (24 accumulators), or 6 (12) where there are 16 registers ({@link VectorRegisters}).
     * A tile of 14 left two samples of a batch of 16 to a tile of four chains, too few to hide the FMA's latency:
     * AlexNet's first dense layer at batch 16 took 7.6 ms on tiles of 14 and 2, 6.6 on tiles of 12 and 4.
     */
    private static final int GROUP = VectorRegisters.few() ? 6 : 12;
    /** Features of a chunk: a block's weights for it take 16 KiB at 16 lanes, and stay in L1 for every sample group. */
    private static final int CHUNK = 128;
    /**
     * Samples up to which a batch's chunks are read into L1 by a loop of independent loads ({@link SliceReader})
     * before the tiles use them: two samples' tiles keep too few loads in flight for the weights' stream. Past
     * that the tiles' own loads keep up, and the separate read only delays them (AlexNet's first dense layer: 6.7
     * to 4.3 ms at batch 2, but 3.5 to 5.3 at batch 4).
     */
    private static final int READ_AHEAD_SAMPLES = 2;

    private Gemv() {}

    /** One pass on a copy of {@code weight}, which stays as it is. */
    public static void run(Workers workers, float[] weight, float[] in, float[] out, int n, int features, int units, Epilogue e) {
        prepare(weight.clone(), in, out, n, features, units, e).accept(workers);
    }

    /**
     * One call, made once per layer: packs {@code weight} (units x features) in place, so that it becomes the
     * kernel's (no second copy of a layer of hundreds of megabytes), and returns the layer's pass. A run
     * allocates nothing.
     */
    public static java.util.function.Consumer<Workers> prepare(float[] weight, float[] in, float[] out, int n, int features, int units,
            Epilogue e) {
        int blocks = (units + WIDTH - 1) / WIDTH;
        int whole = units / WIDTH;
        float[] last = packInPlace(weight, features, units);
        // a single sample's input is already laid out as the chunks are: nothing to copy
        float[] chunked = n == 1 ? in : new float[n * features];
        boolean readAhead = n <= READ_AHEAD_SAMPLES;
        // four partial sums of every output of a block, and one float that keeps what the reads ahead loaded
        ThreadLocal<float[]> sums = ThreadLocal.withInitial(() -> new float[4 * n * WIDTH + 1]);
        java.util.function.IntConsumer task = b -> block(b < whole ? weight : last, b < whole ? b * features * WIDTH : 0, chunked, out, n,
                features, units, e, b, readAhead, sums.get());
        return workers -> {
            if (n > 1) {
                chunkInputs(in, chunked, n, features);
            }
            workers.parallelFor(blocks, task);
        };
    }

    /**
     * Packs whole blocks of {@link #WIDTH} units in place, [block][feature][WIDTH]: unit b * WIDTH + j's weight for
     * feature f at (b * features + f) * WIDTH + j, where the block's rows were. A last block of fewer units is
     * packed, zero past its last unit, into the array returned (null when there is none).
     */
    static float[] packInPlace(float[] weight, int features, int units) {
        int whole = units / WIDTH;
        float[] rows = new float[WIDTH * features];
        for (int b = 0; b < whole; b++) {
            int base = b * WIDTH * features;
            System.arraycopy(weight, base, rows, 0, rows.length);
            transpose(rows, WIDTH, features, weight, base);
        }
        int rest = units - whole * WIDTH;
        if (rest == 0) {
            return null;
        }
        float[] last = new float[WIDTH * features];
        transpose(Arrays.copyOfRange(weight, whole * WIDTH * features, units * features), rest, features, last, 0);
        return last;
    }

    /** rows[j][f] (count rows of features) to to[at + f * WIDTH + j]. */
    private static void transpose(float[] rows, int count, int features, float[] to, int at) {
        for (int j = 0; j < count; j++) {
            for (int f = 0; f < features; f++) {
                to[at + f * WIDTH + j] = rows[j * features + f];
            }
        }
    }

    /**
     * The inputs chunk by chunk: chunk [f0, f0 + count) of sample s at f0 * n + s * count. A tile's samples
     * then lie a chunk apart, not a whole row (rows of AlexNet's and VGG's layers lie multiples of 4 KiB
     * apart, and would fall into the same sets of L1).
     */
    private static void chunkInputs(float[] in, float[] chunked, int n, int features) {
        for (int q = 0; q < 4; q++) {
            int end = quarterEnd(q, features);
            for (int f0 = quarterStart(q, features); f0 < end; f0 += CHUNK) {
                int count = Math.min(CHUNK, end - f0);
                for (int s = 0; s < n; s++) {
                    System.arraycopy(in, s * features + f0, chunked, f0 * n + s * count, count);
                }
            }
        }
    }

    /** The first feature of quarter q: the first three quarters are features / 4 long, the last takes the rest. */
    private static int quarterStart(int q, int features) {
        return q * (features / 4);
    }

    private static int quarterEnd(int q, int features) {
        return q == 3 ? features : (q + 1) * (features / 4);
    }

    /**
     * Units [b * WIDTH, b * WIDTH + WIDTH) of every sample, their weights at {@code w} in {@code packed}: the quarters'
     * partial sums, then their total through the epilogue.
     */
    private static void block(float[] packed, int w, float[] chunked, float[] out, int n, int features, int units, Epilogue e, int b,
            boolean readAhead, float[] sums) {
        Arrays.fill(sums, 0f);
        int set = n * WIDTH;
        if (n == 1) {
            int quarter = features / 4;
            quarters(packed, w, quarter * WIDTH, chunked, 0, quarter, quarter, sums, set);
            tile1(packed, w + 4 * quarter * WIDTH, chunked, 4 * quarter, features - 4 * quarter, sums, 3 * set);
        } else {
            float read = 0;
            for (int q = 0; q < 4; q++) {
                int end = quarterEnd(q, features);
                for (int f0 = quarterStart(q, features); f0 < end; f0 += CHUNK) {
                    int count = Math.min(CHUNK, end - f0);
                    int at = w + f0 * WIDTH;
                    if (readAhead) {
                        read += SliceReader.read(packed, at, at + count * WIDTH);
                    }
                    chunk(packed, at, chunked, f0 * n, count, n, sums, q * set);
                }
            }
            sums[sums.length - 1] = read;
        }
        int u0 = b * WIDTH;
        int u1 = Math.min(units, u0 + WIDTH);
        for (int s = 0; s < n; s++) {
            for (int u = u0; u < u1; u++) {
                int i = s * WIDTH + u - u0;
                finish((sums[i] + sums[set + i]) + (sums[2 * set + i] + sums[3 * set + i]), s, u, out, units, e);
            }
        }
    }

    /** One chunk of one block (weights at {@code w}) for every sample (inputs from {@code x}), onto the sums at {@code at}. */
    private static void chunk(float[] packed, int w, float[] chunked, int x, int count, int n, float[] sums, int at) {
        int s = 0;
        for (; s + GROUP <= n; s += GROUP) {
            if (GROUP == 12) {
                tile12(packed, w, chunked, x + s * count, count, sums, at + s * WIDTH);
            } else {
                tile6(packed, w, chunked, x + s * count, count, sums, at + s * WIDTH);
            }
        }
        if (GROUP == 12 && s + 8 <= n) {
            tile8(packed, w, chunked, x + s * count, count, sums, at + s * WIDTH);
            s += 8;
        }
        if (s + 4 <= n) {
            tile4(packed, w, chunked, x + s * count, count, sums, at + s * WIDTH);
            s += 4;
        }
        if (s + 2 <= n) {
            tile2(packed, w, chunked, x + s * count, count, sums, at + s * WIDTH);
            s += 2;
        }
        if (s < n) {
            tile1(packed, w, chunked, x + s * count, count, sums, at + s * WIDTH);
        }
    }

    /** Bias, residual, accumulation and activation for one output. */
    private static void finish(float v, int sample, int unit, float[] out, int units, Epilogue e) {
        int at = sample * units + unit;
        if (e.bias() != null) {
            v += e.bias()[unit];
        }
        if (e.residual() != null) {
            v += e.residual()[at];
        }
        if (e.accumulate()) {
            v += out[at];
        }
        out[at] = e.activation().apply(v, e.slope());
    }

    // The tiles: sums[at + s * WIDTH, + WIDTH) of sample s of the tile += the chunk's count features of its input
    // (x + s * count, ...) times the block's weights (w, [count][WIDTH]). Unrolled over samples: one register pair each.

    private static void tile12(float[] w, int wAt, float[] x, int xAt, int count, float[] sums, int at) {
        FloatVector a0 = FloatVector.fromArray(S, sums, at), b0 = FloatVector.fromArray(S, sums, at + L);
        FloatVector a1 = FloatVector.fromArray(S, sums, at + WIDTH), b1 = FloatVector.fromArray(S, sums, at + WIDTH + L);
        FloatVector a2 = FloatVector.fromArray(S, sums, at + 2 * WIDTH), b2 = FloatVector.fromArray(S, sums, at + 2 * WIDTH + L);
        FloatVector a3 = FloatVector.fromArray(S, sums, at + 3 * WIDTH), b3 = FloatVector.fromArray(S, sums, at + 3 * WIDTH + L);
        FloatVector a4 = FloatVector.fromArray(S, sums, at + 4 * WIDTH), b4 = FloatVector.fromArray(S, sums, at + 4 * WIDTH + L);
        FloatVector a5 = FloatVector.fromArray(S, sums, at + 5 * WIDTH), b5 = FloatVector.fromArray(S, sums, at + 5 * WIDTH + L);
        FloatVector a6 = FloatVector.fromArray(S, sums, at + 6 * WIDTH), b6 = FloatVector.fromArray(S, sums, at + 6 * WIDTH + L);
        FloatVector a7 = FloatVector.fromArray(S, sums, at + 7 * WIDTH), b7 = FloatVector.fromArray(S, sums, at + 7 * WIDTH + L);
        FloatVector a8 = FloatVector.fromArray(S, sums, at + 8 * WIDTH), b8 = FloatVector.fromArray(S, sums, at + 8 * WIDTH + L);
        FloatVector a9 = FloatVector.fromArray(S, sums, at + 9 * WIDTH), b9 = FloatVector.fromArray(S, sums, at + 9 * WIDTH + L);
        FloatVector a10 = FloatVector.fromArray(S, sums, at + 10 * WIDTH), b10 = FloatVector.fromArray(S, sums, at + 10 * WIDTH + L);
        FloatVector a11 = FloatVector.fromArray(S, sums, at + 11 * WIDTH), b11 = FloatVector.fromArray(S, sums, at + 11 * WIDTH + L);
        for (int f = 0; f < count; f++) {
            FloatVector lo = FloatVector.fromArray(S, w, wAt + f * WIDTH);
            FloatVector hi = FloatVector.fromArray(S, w, wAt + f * WIDTH + L);
            int i = xAt + f;
            FloatVector v = FloatVector.broadcast(S, x[i]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(S, x[i + count]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(S, x[i + 2 * count]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(S, x[i + 3 * count]);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
            v = FloatVector.broadcast(S, x[i + 4 * count]);
            a4 = lo.fma(v, a4);
            b4 = hi.fma(v, b4);
            v = FloatVector.broadcast(S, x[i + 5 * count]);
            a5 = lo.fma(v, a5);
            b5 = hi.fma(v, b5);
            v = FloatVector.broadcast(S, x[i + 6 * count]);
            a6 = lo.fma(v, a6);
            b6 = hi.fma(v, b6);
            v = FloatVector.broadcast(S, x[i + 7 * count]);
            a7 = lo.fma(v, a7);
            b7 = hi.fma(v, b7);
            v = FloatVector.broadcast(S, x[i + 8 * count]);
            a8 = lo.fma(v, a8);
            b8 = hi.fma(v, b8);
            v = FloatVector.broadcast(S, x[i + 9 * count]);
            a9 = lo.fma(v, a9);
            b9 = hi.fma(v, b9);
            v = FloatVector.broadcast(S, x[i + 10 * count]);
            a10 = lo.fma(v, a10);
            b10 = hi.fma(v, b10);
            v = FloatVector.broadcast(S, x[i + 11 * count]);
            a11 = lo.fma(v, a11);
            b11 = hi.fma(v, b11);
        }
        a0.intoArray(sums, at);
        b0.intoArray(sums, at + L);
        a1.intoArray(sums, at + WIDTH);
        b1.intoArray(sums, at + WIDTH + L);
        a2.intoArray(sums, at + 2 * WIDTH);
        b2.intoArray(sums, at + 2 * WIDTH + L);
        a3.intoArray(sums, at + 3 * WIDTH);
        b3.intoArray(sums, at + 3 * WIDTH + L);
        a4.intoArray(sums, at + 4 * WIDTH);
        b4.intoArray(sums, at + 4 * WIDTH + L);
        a5.intoArray(sums, at + 5 * WIDTH);
        b5.intoArray(sums, at + 5 * WIDTH + L);
        a6.intoArray(sums, at + 6 * WIDTH);
        b6.intoArray(sums, at + 6 * WIDTH + L);
        a7.intoArray(sums, at + 7 * WIDTH);
        b7.intoArray(sums, at + 7 * WIDTH + L);
        a8.intoArray(sums, at + 8 * WIDTH);
        b8.intoArray(sums, at + 8 * WIDTH + L);
        a9.intoArray(sums, at + 9 * WIDTH);
        b9.intoArray(sums, at + 9 * WIDTH + L);
        a10.intoArray(sums, at + 10 * WIDTH);
        b10.intoArray(sums, at + 10 * WIDTH + L);
        a11.intoArray(sums, at + 11 * WIDTH);
        b11.intoArray(sums, at + 11 * WIDTH + L);
    }

    private static void tile8(float[] w, int wAt, float[] x, int xAt, int count, float[] sums, int at) {
        FloatVector a0 = FloatVector.fromArray(S, sums, at), b0 = FloatVector.fromArray(S, sums, at + L);
        FloatVector a1 = FloatVector.fromArray(S, sums, at + WIDTH), b1 = FloatVector.fromArray(S, sums, at + WIDTH + L);
        FloatVector a2 = FloatVector.fromArray(S, sums, at + 2 * WIDTH), b2 = FloatVector.fromArray(S, sums, at + 2 * WIDTH + L);
        FloatVector a3 = FloatVector.fromArray(S, sums, at + 3 * WIDTH), b3 = FloatVector.fromArray(S, sums, at + 3 * WIDTH + L);
        FloatVector a4 = FloatVector.fromArray(S, sums, at + 4 * WIDTH), b4 = FloatVector.fromArray(S, sums, at + 4 * WIDTH + L);
        FloatVector a5 = FloatVector.fromArray(S, sums, at + 5 * WIDTH), b5 = FloatVector.fromArray(S, sums, at + 5 * WIDTH + L);
        FloatVector a6 = FloatVector.fromArray(S, sums, at + 6 * WIDTH), b6 = FloatVector.fromArray(S, sums, at + 6 * WIDTH + L);
        FloatVector a7 = FloatVector.fromArray(S, sums, at + 7 * WIDTH), b7 = FloatVector.fromArray(S, sums, at + 7 * WIDTH + L);
        for (int f = 0; f < count; f++) {
            FloatVector lo = FloatVector.fromArray(S, w, wAt + f * WIDTH);
            FloatVector hi = FloatVector.fromArray(S, w, wAt + f * WIDTH + L);
            int i = xAt + f;
            FloatVector v = FloatVector.broadcast(S, x[i]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(S, x[i + count]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(S, x[i + 2 * count]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(S, x[i + 3 * count]);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
            v = FloatVector.broadcast(S, x[i + 4 * count]);
            a4 = lo.fma(v, a4);
            b4 = hi.fma(v, b4);
            v = FloatVector.broadcast(S, x[i + 5 * count]);
            a5 = lo.fma(v, a5);
            b5 = hi.fma(v, b5);
            v = FloatVector.broadcast(S, x[i + 6 * count]);
            a6 = lo.fma(v, a6);
            b6 = hi.fma(v, b6);
            v = FloatVector.broadcast(S, x[i + 7 * count]);
            a7 = lo.fma(v, a7);
            b7 = hi.fma(v, b7);
        }
        a0.intoArray(sums, at);
        b0.intoArray(sums, at + L);
        a1.intoArray(sums, at + WIDTH);
        b1.intoArray(sums, at + WIDTH + L);
        a2.intoArray(sums, at + 2 * WIDTH);
        b2.intoArray(sums, at + 2 * WIDTH + L);
        a3.intoArray(sums, at + 3 * WIDTH);
        b3.intoArray(sums, at + 3 * WIDTH + L);
        a4.intoArray(sums, at + 4 * WIDTH);
        b4.intoArray(sums, at + 4 * WIDTH + L);
        a5.intoArray(sums, at + 5 * WIDTH);
        b5.intoArray(sums, at + 5 * WIDTH + L);
        a6.intoArray(sums, at + 6 * WIDTH);
        b6.intoArray(sums, at + 6 * WIDTH + L);
        a7.intoArray(sums, at + 7 * WIDTH);
        b7.intoArray(sums, at + 7 * WIDTH + L);
    }

    private static void tile6(float[] w, int wAt, float[] x, int xAt, int count, float[] sums, int at) {
        FloatVector a0 = FloatVector.fromArray(S, sums, at), b0 = FloatVector.fromArray(S, sums, at + L);
        FloatVector a1 = FloatVector.fromArray(S, sums, at + WIDTH), b1 = FloatVector.fromArray(S, sums, at + WIDTH + L);
        FloatVector a2 = FloatVector.fromArray(S, sums, at + 2 * WIDTH), b2 = FloatVector.fromArray(S, sums, at + 2 * WIDTH + L);
        FloatVector a3 = FloatVector.fromArray(S, sums, at + 3 * WIDTH), b3 = FloatVector.fromArray(S, sums, at + 3 * WIDTH + L);
        FloatVector a4 = FloatVector.fromArray(S, sums, at + 4 * WIDTH), b4 = FloatVector.fromArray(S, sums, at + 4 * WIDTH + L);
        FloatVector a5 = FloatVector.fromArray(S, sums, at + 5 * WIDTH), b5 = FloatVector.fromArray(S, sums, at + 5 * WIDTH + L);
        for (int f = 0; f < count; f++) {
            FloatVector lo = FloatVector.fromArray(S, w, wAt + f * WIDTH);
            FloatVector hi = FloatVector.fromArray(S, w, wAt + f * WIDTH + L);
            int i = xAt + f;
            FloatVector v = FloatVector.broadcast(S, x[i]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(S, x[i + count]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(S, x[i + 2 * count]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(S, x[i + 3 * count]);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
            v = FloatVector.broadcast(S, x[i + 4 * count]);
            a4 = lo.fma(v, a4);
            b4 = hi.fma(v, b4);
            v = FloatVector.broadcast(S, x[i + 5 * count]);
            a5 = lo.fma(v, a5);
            b5 = hi.fma(v, b5);
        }
        a0.intoArray(sums, at);
        b0.intoArray(sums, at + L);
        a1.intoArray(sums, at + WIDTH);
        b1.intoArray(sums, at + WIDTH + L);
        a2.intoArray(sums, at + 2 * WIDTH);
        b2.intoArray(sums, at + 2 * WIDTH + L);
        a3.intoArray(sums, at + 3 * WIDTH);
        b3.intoArray(sums, at + 3 * WIDTH + L);
        a4.intoArray(sums, at + 4 * WIDTH);
        b4.intoArray(sums, at + 4 * WIDTH + L);
        a5.intoArray(sums, at + 5 * WIDTH);
        b5.intoArray(sums, at + 5 * WIDTH + L);
    }

    private static void tile4(float[] w, int wAt, float[] x, int xAt, int count, float[] sums, int at) {
        FloatVector a0 = FloatVector.fromArray(S, sums, at), b0 = FloatVector.fromArray(S, sums, at + L);
        FloatVector a1 = FloatVector.fromArray(S, sums, at + WIDTH), b1 = FloatVector.fromArray(S, sums, at + WIDTH + L);
        FloatVector a2 = FloatVector.fromArray(S, sums, at + 2 * WIDTH), b2 = FloatVector.fromArray(S, sums, at + 2 * WIDTH + L);
        FloatVector a3 = FloatVector.fromArray(S, sums, at + 3 * WIDTH), b3 = FloatVector.fromArray(S, sums, at + 3 * WIDTH + L);
        for (int f = 0; f < count; f++) {
            FloatVector lo = FloatVector.fromArray(S, w, wAt + f * WIDTH);
            FloatVector hi = FloatVector.fromArray(S, w, wAt + f * WIDTH + L);
            int i = xAt + f;
            FloatVector v = FloatVector.broadcast(S, x[i]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(S, x[i + count]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
            v = FloatVector.broadcast(S, x[i + 2 * count]);
            a2 = lo.fma(v, a2);
            b2 = hi.fma(v, b2);
            v = FloatVector.broadcast(S, x[i + 3 * count]);
            a3 = lo.fma(v, a3);
            b3 = hi.fma(v, b3);
        }
        a0.intoArray(sums, at);
        b0.intoArray(sums, at + L);
        a1.intoArray(sums, at + WIDTH);
        b1.intoArray(sums, at + WIDTH + L);
        a2.intoArray(sums, at + 2 * WIDTH);
        b2.intoArray(sums, at + 2 * WIDTH + L);
        a3.intoArray(sums, at + 3 * WIDTH);
        b3.intoArray(sums, at + 3 * WIDTH + L);
    }

    private static void tile2(float[] w, int wAt, float[] x, int xAt, int count, float[] sums, int at) {
        FloatVector a0 = FloatVector.fromArray(S, sums, at), b0 = FloatVector.fromArray(S, sums, at + L);
        FloatVector a1 = FloatVector.fromArray(S, sums, at + WIDTH), b1 = FloatVector.fromArray(S, sums, at + WIDTH + L);
        for (int f = 0; f < count; f++) {
            FloatVector lo = FloatVector.fromArray(S, w, wAt + f * WIDTH);
            FloatVector hi = FloatVector.fromArray(S, w, wAt + f * WIDTH + L);
            FloatVector v = FloatVector.broadcast(S, x[xAt + f]);
            a0 = lo.fma(v, a0);
            b0 = hi.fma(v, b0);
            v = FloatVector.broadcast(S, x[xAt + f + count]);
            a1 = lo.fma(v, a1);
            b1 = hi.fma(v, b1);
        }
        a0.intoArray(sums, at);
        b0.intoArray(sums, at + L);
        a1.intoArray(sums, at + WIDTH);
        b1.intoArray(sums, at + WIDTH + L);
    }

    /**
     * One sample, its four quarters in step: the partial sums at {@code at + q * set} += the quarter's count
     * features (inputs from {@code xAt + q * xQuarter}, weights from {@code wAt + q * wQuarter}). Four streams of
     * weights in flight, where one alone leaves memory idle (AlexNet's first dense layer at batch 1: 2.7 ms, against
     * 2.9 for four weight rows side by side and 3.1 to 6.0 for one stream, read ahead or not).
     */
    private static void quarters(float[] w, int wAt, int wQuarter, float[] x, int xAt, int xQuarter, int count, float[] sums, int set) {
        FloatVector a0 = FloatVector.fromArray(S, sums, 0), b0 = FloatVector.fromArray(S, sums, L);
        FloatVector a1 = FloatVector.fromArray(S, sums, set), b1 = FloatVector.fromArray(S, sums, set + L);
        FloatVector a2 = FloatVector.fromArray(S, sums, 2 * set), b2 = FloatVector.fromArray(S, sums, 2 * set + L);
        FloatVector a3 = FloatVector.fromArray(S, sums, 3 * set), b3 = FloatVector.fromArray(S, sums, 3 * set + L);
        for (int f = 0; f < count; f++) {
            int o = wAt + f * WIDTH;
            FloatVector v = FloatVector.broadcast(S, x[xAt + f]);
            a0 = FloatVector.fromArray(S, w, o).fma(v, a0);
            b0 = FloatVector.fromArray(S, w, o + L).fma(v, b0);
            v = FloatVector.broadcast(S, x[xAt + xQuarter + f]);
            a1 = FloatVector.fromArray(S, w, o + wQuarter).fma(v, a1);
            b1 = FloatVector.fromArray(S, w, o + wQuarter + L).fma(v, b1);
            v = FloatVector.broadcast(S, x[xAt + 2 * xQuarter + f]);
            a2 = FloatVector.fromArray(S, w, o + 2 * wQuarter).fma(v, a2);
            b2 = FloatVector.fromArray(S, w, o + 2 * wQuarter + L).fma(v, b2);
            v = FloatVector.broadcast(S, x[xAt + 3 * xQuarter + f]);
            a3 = FloatVector.fromArray(S, w, o + 3 * wQuarter).fma(v, a3);
            b3 = FloatVector.fromArray(S, w, o + 3 * wQuarter + L).fma(v, b3);
        }
        a0.intoArray(sums, 0);
        b0.intoArray(sums, L);
        a1.intoArray(sums, set);
        b1.intoArray(sums, set + L);
        a2.intoArray(sums, 2 * set);
        b2.intoArray(sums, 2 * set + L);
        a3.intoArray(sums, 3 * set);
        b3.intoArray(sums, 3 * set + L);
    }

    /** One sample: the last quarter's last features at batch 1, and a batch's last sample. */
    private static void tile1(float[] w, int wAt, float[] x, int xAt, int count, float[] sums, int at) {
        FloatVector a0 = FloatVector.fromArray(S, sums, at), b0 = FloatVector.fromArray(S, sums, at + L);
        for (int f = 0; f < count; f++) {
            FloatVector v = FloatVector.broadcast(S, x[xAt + f]);
            a0 = FloatVector.fromArray(S, w, wAt + f * WIDTH).fma(v, a0);
            b0 = FloatVector.fromArray(S, w, wAt + f * WIDTH + L).fma(v, b0);
        }
        a0.intoArray(sums, at);
        b0.intoArray(sums, at + L);
    }
}
