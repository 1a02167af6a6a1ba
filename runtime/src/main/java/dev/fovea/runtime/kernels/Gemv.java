package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense layers: out[n, u] = dot(weight[u, :], in[n, :]), each dot a Vector API reduction over the
 * features. For the large layers of AlexNet and VGG this is bound by memory bandwidth, so a task is a
 * block of units, its weight rows streamed once for up to 16 samples: four units by four samples at a
 * time, in chunks of features that every block of the task reads from L1 (the whole rows would be read
 * from L2 once per four samples, which bounds a batch of 16 by L2's bandwidth); samples after the last
 * four, four units at a time.
 */
public final class Gemv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int UNITS_PER_TASK = 16;
    /** Units and samples of one register block of {@link #dots4x4Chunk}. */
    private static final int BLOCK = 4;
    /** Samples whose blocks share a chunk of features: their accumulators (16 KiB for 16 units) stay in L1. */
    private static final int GROUP = 16;
    /** Features of a chunk: 16 weight and 16 input rows of it take 16 KiB each. */
    private static final int CHUNK = 256;

    private Gemv() {}

    public static void run(Workers workers, float[] weight, float[] in, float[] out, int n, int features, int units, Epilogue e) {
        prepare(weight, in, out, n, features, units, e).accept(workers);
    }

    /** One call, made once per layer: the task reads its fixed arguments, so a run allocates nothing. */
    public static java.util.function.Consumer<Workers> prepare(float[] weight, float[] in, float[] out, int n, int features, int units,
            Epilogue e) {
        int blocks = (units + UNITS_PER_TASK - 1) / UNITS_PER_TASK;
        ThreadLocal<float[]> sums = ThreadLocal.withInitial(() -> new float[BLOCK * BLOCK]);
        ThreadLocal<float[]> partials = ThreadLocal.withInitial(() -> new float[GROUP * UNITS_PER_TASK * L]);
        int fours = n / BLOCK * BLOCK;
        int vectorEnd = features / L * L;
        float[] chunked = new float[fours * vectorEnd];
        java.util.function.IntConsumer task = t -> {
            int u0 = t * UNITS_PER_TASK;
            int u1 = Math.min(units, u0 + UNITS_PER_TASK);
            float[] block = sums.get();
            for (int s0 = 0; s0 < fours; s0 += GROUP) {
                int s1 = Math.min(fours, s0 + GROUP);
                sampleGroup(weight, in, chunked, out, features, units, e, u0, u1, s0, s1, fours, partials.get(), block);
            }
            for (int sample = fours; sample < n; sample++) {
                int u = u0;
                for (; u + BLOCK <= u1; u += BLOCK) {
                    dots4x1(weight, u * features, in, sample * features, features, block);
                    for (int i = 0; i < BLOCK; i++) {
                        finish(block[i], sample, u + i, out, units, e);
                    }
                }
                for (; u < u1; u++) {
                    finish(dot(weight, u * features, in, sample * features, features), sample, u, out, units, e);
                }
            }
        };
        return workers -> {
            chunkInputs(in, chunked, fours, features, vectorEnd);
            workers.parallelFor(blocks, task);
        };
    }

    /**
     * Samples [s0, s1) (whole fours) by units [u0, u1): the features run in chunks, and within a chunk
     * every 4x4 block of the group reads the same {@link #CHUNK} features of its weight and input rows,
     * which the first block brought into L1. The blocks' accumulators wait in {@code partials} between
     * chunks, so each sum is formed lane by lane in the same order as over all features at once.
     */
    private static void sampleGroup(float[] weight, float[] in, float[] chunked, float[] out, int features, int units, Epilogue e,
            int u0, int u1, int s0, int s1, int fours, float[] partials, float[] block) {
        int wholeUnits = u0 + (u1 - u0) / BLOCK * BLOCK;
        int vectorEnd = features / L * L;
        int sampleBlocks = (s1 - s0) / BLOCK;
        for (int f0 = 0; f0 < vectorEnd; f0 += CHUNK) {
            int f1 = Math.min(vectorEnd, f0 + CHUNK);
            for (int u = u0; u < wholeUnits; u += BLOCK) {
                for (int s = s0; s < s1; s += BLOCK) {
                    int slot = (u - u0) / BLOCK * sampleBlocks + (s - s0) / BLOCK;
                    int count = f1 - f0;
                    dots4x4Chunk(weight, u * features + f0, features, chunked, f0 * fours + s * count, count, count, f0 == 0, partials,
                            slot * BLOCK * BLOCK * L);
                }
            }
        }
        for (int u = u0; u < wholeUnits; u += BLOCK) {
            for (int s = s0; s < s1; s += BLOCK) {
                int slot = (u - u0) / BLOCK * sampleBlocks + (s - s0) / BLOCK;
                reduceBlock(weight, u * features, in, s * features, features, vectorEnd, partials, slot * BLOCK * BLOCK * L, block);
                for (int i = 0; i < BLOCK * BLOCK; i++) {
                    finish(block[i], s + i % BLOCK, u + i / BLOCK, out, units, e);
                }
            }
        }
        for (int u = wholeUnits; u < u1; u++) {
            for (int s = s0; s < s1; s++) {
                finish(dot(weight, u * features, in, s * features, features), s, u, out, units, e);
            }
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

    /**
     * Features [f0, f1) (whole vectors) of the 16 dots of weight rows [u, u + 4) (the first at {@code wBase})
     * with input rows [s, s + 4) (the first at {@code xBase}), on the accumulators kept at
     * {@code partialsOff} (4 x 4 vectors, unit-major; zero when {@code f0} is 0). Each weight vector is
     * loaded once for four samples and each input vector once for four units.
     */
    static void dots4x4Chunk(float[] w, int wAt, int wStride, float[] x, int xAt, int xStride, int count, boolean first, float[] partials,
            int partialsOff) {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
        if (first) {
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = FloatVector.zero(S);
            c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = FloatVector.zero(S);
        } else {
            int p = partialsOff;
            c00 = FloatVector.fromArray(S, partials, p);
            c01 = FloatVector.fromArray(S, partials, p + L);
            c02 = FloatVector.fromArray(S, partials, p + 2 * L);
            c03 = FloatVector.fromArray(S, partials, p + 3 * L);
            c10 = FloatVector.fromArray(S, partials, p + 4 * L);
            c11 = FloatVector.fromArray(S, partials, p + 5 * L);
            c12 = FloatVector.fromArray(S, partials, p + 6 * L);
            c13 = FloatVector.fromArray(S, partials, p + 7 * L);
            c20 = FloatVector.fromArray(S, partials, p + 8 * L);
            c21 = FloatVector.fromArray(S, partials, p + 9 * L);
            c22 = FloatVector.fromArray(S, partials, p + 10 * L);
            c23 = FloatVector.fromArray(S, partials, p + 11 * L);
            c30 = FloatVector.fromArray(S, partials, p + 12 * L);
            c31 = FloatVector.fromArray(S, partials, p + 13 * L);
            c32 = FloatVector.fromArray(S, partials, p + 14 * L);
            c33 = FloatVector.fromArray(S, partials, p + 15 * L);
        }
        for (int i = 0; i < count; i += L) {
            FloatVector x0 = FloatVector.fromArray(S, x, xAt + i);
            FloatVector x1 = FloatVector.fromArray(S, x, xAt + xStride + i);
            FloatVector x2 = FloatVector.fromArray(S, x, xAt + 2 * xStride + i);
            FloatVector x3 = FloatVector.fromArray(S, x, xAt + 3 * xStride + i);
            FloatVector w0 = FloatVector.fromArray(S, w, wAt + i);
            c00 = w0.fma(x0, c00);
            c01 = w0.fma(x1, c01);
            c02 = w0.fma(x2, c02);
            c03 = w0.fma(x3, c03);
            FloatVector w1 = FloatVector.fromArray(S, w, wAt + wStride + i);
            c10 = w1.fma(x0, c10);
            c11 = w1.fma(x1, c11);
            c12 = w1.fma(x2, c12);
            c13 = w1.fma(x3, c13);
            FloatVector w2 = FloatVector.fromArray(S, w, wAt + 2 * wStride + i);
            c20 = w2.fma(x0, c20);
            c21 = w2.fma(x1, c21);
            c22 = w2.fma(x2, c22);
            c23 = w2.fma(x3, c23);
            FloatVector w3 = FloatVector.fromArray(S, w, wAt + 3 * wStride + i);
            c30 = w3.fma(x0, c30);
            c31 = w3.fma(x1, c31);
            c32 = w3.fma(x2, c32);
            c33 = w3.fma(x3, c33);
        }
        int p = partialsOff;
        c00.intoArray(partials, p);
        c01.intoArray(partials, p + L);
        c02.intoArray(partials, p + 2 * L);
        c03.intoArray(partials, p + 3 * L);
        c10.intoArray(partials, p + 4 * L);
        c11.intoArray(partials, p + 5 * L);
        c12.intoArray(partials, p + 6 * L);
        c13.intoArray(partials, p + 7 * L);
        c20.intoArray(partials, p + 8 * L);
        c21.intoArray(partials, p + 9 * L);
        c22.intoArray(partials, p + 10 * L);
        c23.intoArray(partials, p + 11 * L);
        c30.intoArray(partials, p + 12 * L);
        c31.intoArray(partials, p + 13 * L);
        c32.intoArray(partials, p + 14 * L);
        c33.intoArray(partials, p + 15 * L);
    }

    /**
     * The whole vectors of the first {@code fours} input rows, chunk by chunk: a chunk's rows lie one
     * after the other. In the input, rows of AlexNet's and VGG's layers lie a multiple of 4 KiB apart,
     * so a chunk of each would fall into the same sets of L1 and evict one another.
     */
    private static void chunkInputs(float[] in, float[] chunked, int fours, int features, int vectorEnd) {
        for (int f0 = 0; f0 < vectorEnd; f0 += CHUNK) {
            int count = Math.min(vectorEnd, f0 + CHUNK) - f0;
            for (int s = 0; s < fours; s++) {
                System.arraycopy(in, s * features + f0, chunked, f0 * fours + s * count, count);
            }
        }
    }

    /** {@link #dots4x4Chunk}'s 16 accumulators summed lane by lane, then the features after the last whole vector. */
    private static void reduceBlock(float[] w, int wBase, float[] x, int xBase, int length, int vectorEnd, float[] partials, int partialsOff,
            float[] sums) {
        for (int i = 0; i < BLOCK * BLOCK; i++) {
            sums[i] = vectorEnd == 0 ? 0 : FloatVector.fromArray(S, partials, partialsOff + i * L).reduceLanes(VectorOperators.ADD);
        }
        for (int i = vectorEnd; i < length; i++) {
            for (int u = 0; u < BLOCK; u++) {
                for (int s = 0; s < BLOCK; s++) {
                    sums[u * BLOCK + s] += w[wBase + u * length + i] * x[xBase + s * length + i];
                }
            }
        }
    }

    /**
     * The 4 dots of weight rows [u, u + 4) (the first at {@code wBase}) with one input row at {@code xBase},
     * into {@code sums}[unit - u]: four weight rows streamed side by side, so that a sample alone (batch 1)
     * keeps four streams of the weights in flight instead of one.
     */
    static void dots4x1(float[] w, int wBase, float[] x, int xBase, int length, float[] sums) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= length; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xBase + i);
            c0 = FloatVector.fromArray(S, w, wBase + i).fma(v, c0);
            c1 = FloatVector.fromArray(S, w, wBase + length + i).fma(v, c1);
            c2 = FloatVector.fromArray(S, w, wBase + 2 * length + i).fma(v, c2);
            c3 = FloatVector.fromArray(S, w, wBase + 3 * length + i).fma(v, c3);
        }
        sums[0] = c0.reduceLanes(VectorOperators.ADD);
        sums[1] = c1.reduceLanes(VectorOperators.ADD);
        sums[2] = c2.reduceLanes(VectorOperators.ADD);
        sums[3] = c3.reduceLanes(VectorOperators.ADD);
        for (; i < length; i++) {
            for (int u = 0; u < BLOCK; u++) {
                sums[u] += w[wBase + u * length + i] * x[xBase + i];
            }
        }
    }

    static float dot(float[] a, int aBase, float[] b, int bBase, int length) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        int i = 0;
        for (; i + 4 * L <= length; i += 4 * L) {
            s0 = FloatVector.fromArray(S, a, aBase + i).fma(FloatVector.fromArray(S, b, bBase + i), s0);
            s1 = FloatVector.fromArray(S, a, aBase + i + L).fma(FloatVector.fromArray(S, b, bBase + i + L), s1);
            s2 = FloatVector.fromArray(S, a, aBase + i + 2 * L).fma(FloatVector.fromArray(S, b, bBase + i + 2 * L), s2);
            s3 = FloatVector.fromArray(S, a, aBase + i + 3 * L).fma(FloatVector.fromArray(S, b, bBase + i + 3 * L), s3);
        }
        for (; i + L <= length; i += L) {
            s0 = FloatVector.fromArray(S, a, aBase + i).fma(FloatVector.fromArray(S, b, bBase + i), s0);
        }
        float sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < length; i++) {
            sum += a[aBase + i] * b[bBase + i];
        }
        return sum;
    }
}
