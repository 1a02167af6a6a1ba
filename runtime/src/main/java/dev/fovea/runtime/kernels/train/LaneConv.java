package dev.fovea.runtime.kernels.train;

import static dev.fovea.runtime.kernels.train.Lanes.L;
import static dev.fovea.runtime.kernels.train.Lanes.S;

import dev.fovea.runtime.kernels.ConvGeometry;
import jdk.incubator.vector.FloatVector;

/**
 * A convolution (one group) on samples in vector lanes ({@link Lanes}): every multiply-add is a whole
 * vector, one per sample, whatever the size of the maps and the number of channels, with no im2col.
 * The input is padded once when it enters the lane layout, so no loop checks a border. Forward and
 * backward side by side, each a register block of channels by positions or taps:
 * <pre>
 *   forward      y[o][p]      = bias[o] + sum over t of W[o][t] x[pos(p) + tap(t)]          8 o x 3 p
 *   weight grad  dW[o][t]    += sum over samples, p of dy[o][p] x[pos(p) + tap(t)]           4 o x 6 t
 *   data grad    dx[c][pos(p) + area(a)] += sum over o of W[o][c][a] dy[o][p]               4 c x 6 p
 * </pre>
 * where p runs over output positions, t over (input channel, ky, kx), a over (ky, kx), and pos, tap and
 * area are offsets into the padded input. Output channels are rounded up to blocks of 8 and input
 * channels to blocks of 4 in the lane buffers (and the packed weights), the extra ones zero. The forward
 * pass takes the taps in chunks whose input rows stay in L1 while every block of outputs reads them, a
 * block's weights for a chunk staying in L1 across 4 runs of positions; the
 * weight gradient at stride 1 and in pairs reads the output gradient in rows ({@link #packRows}). Every
 * sum runs in a fixed order: over taps in order (a chunk's partial sums wait in the output), the weight
 * gradient over a caller's groups and positions in order, then over lanes in order.
 */
final class LaneConv {
    static final int BLOCK = 4;
    /** The forward pass's register block: 8 channels by 3 positions, half the input loads per multiply-add of 4 by 6. */
    static final int FORWARD_BLOCK = 8;
    static final int FORWARD_RUN = 3;
    /** Positions of one group, and taps, are handed out in runs of this many: the register blocks' width. */
    static final int RUN = 6;
    /**
     * What one run of positions may read of its input per chunk of taps, counted generously (a run may wrap
     * onto the next row): most of a 48 KiB L1, which each block of outputs reads again.
     */
    private static final int CHUNK_BYTES = 40 * 1024;
    /**
     * Runs of positions that take a chunk's taps one block of weights at a time, so that the block (8 channels
     * by the chunk's taps) stays in L1 across them: ResNet-18's stem (147 taps, 8 blocks, 37 KiB of weights
     * beside 15 KiB of input a run) 26 to 15-17 ms a forward pass at batch 16, 2 threads, on 4 runs; 2 and 8
     * were slower, and the 3x3 layers, whose taps come in chunks, are level.
     */
    private static final int RUNS_PER_PANEL = 4;

    private final ConvGeometry g;
    /** The padded input plane: every row and column an output reads, and no more. */
    final int ph;
    final int pw;
    /** Output channels rounded up to {@link #FORWARD_BLOCK} (the extra ones zero), in blocks of {@link #BLOCK} and of {@link #FORWARD_BLOCK}. */
    final int outputBlocks;
    private final int forwardBlocks;
    final int inputBlocks;
    private final int positions;
    private final int taps;
    private final int area;
    private final int[] positionOffsets;
    private final int[] tapOffsets;
    private final int[] areaOffsets;
    /** Taps per chunk of the forward pass: whole input channels whose rows under one run of positions fit in {@link #CHUNK_BYTES}. */
    private final int chunkTaps;
    /** Output rows per tile of the weight gradient at stride 1 (about {@link #ROW_TILE_POSITIONS} positions), or 0 at other strides. */
    private final int rowTile;
    /** Whether the stride-1 weight gradient slides along kernel rows 3 taps wide ({@link #weightGradientSlide4x6}). */
    private final boolean slides;
    /**
     * Whether the weight gradient at column stride 2 takes kernels 3 taps wide in pairs of kernel rows
     * ({@link #weightGradientPairs4x6}), whole output rows at a time; and how many rows per tile (about
     * {@link #TILE} positions).
     */
    private final boolean pairs;
    private final int pairRows;
    /**
     * Where the weight gradient reads the output gradient in rows ({@link #packRows}), the positions from one output
     * row to the next there: the padded input's width at stride 1, the output's in pairs; 0 where it reads the lanes.
     */
    private final int rowPitch;
    /**
     * Whether the scattered data gradient copies a run's output gradient for its channels side by side first: where
     * the channels' planes lie a multiple of 16 cache lines apart, 64 channels' runs fall on 4 of L1's 64 sets'
     * offsets and evict each other before the kernel's 9 taps have read them (28x28 and 56x56 outputs). Measured on
     * ResNet's stride-2 layers: 8 to 13% faster there, 2 to 10% slower on 14x14 and 7x7 outputs, which keep reading
     * in place.
     */
    private final boolean gathersRuns;
    private static final int ROW_TILE_POSITIONS = 128;

    LaneConv(ConvGeometry g) {
        if (g.groups() != 1) {
            throw new IllegalArgumentException("lane convolutions take one group, not " + g.groups());
        }
        this.g = g;
        this.ph = (g.oh() - 1) * g.sh() + (g.kh() - 1) * g.dh() + 1;
        this.pw = (g.ow() - 1) * g.sw() + (g.kw() - 1) * g.dw() + 1;
        this.forwardBlocks = (g.co() + FORWARD_BLOCK - 1) / FORWARD_BLOCK;
        this.outputBlocks = forwardBlocks * FORWARD_BLOCK / BLOCK;
        this.inputBlocks = (g.ci() + BLOCK - 1) / BLOCK;
        this.positions = g.positions();
        this.taps = g.k();
        this.area = g.kh() * g.kw();
        this.positionOffsets = new int[positions];
        for (int oy = 0; oy < g.oh(); oy++) {
            for (int ox = 0; ox < g.ow(); ox++) {
                positionOffsets[oy * g.ow() + ox] = (oy * g.sh() * pw + ox * g.sw()) * L;
            }
        }
        this.areaOffsets = new int[area];
        for (int ky = 0; ky < g.kh(); ky++) {
            for (int kx = 0; kx < g.kw(); kx++) {
                areaOffsets[ky * g.kw() + kx] = (ky * g.dh() * pw + kx * g.dw()) * L;
            }
        }
        int rows = Math.min(ph, (g.kh() - 1) * g.dh() + 1 + 1); // a run may wrap onto the next output row
        int columns = Math.min(pw, (FORWARD_RUN - 1) * g.sw() + (g.kw() - 1) * g.dw() + 1);
        int channelBytes = rows * columns * L * Float.BYTES;
        this.chunkTaps = Math.max(1, Math.min(g.ci(), CHUNK_BYTES / channelBytes)) * area;
        this.rowTile = g.sh() == 1 && g.sw() == 1 ? Math.max(1, Math.min(g.oh(), ROW_TILE_POSITIONS / pw)) : 0;
        this.slides = rowTile > 0 && g.kw() == 3 && g.dw() == 1;
        this.pairs = rowTile == 0 && g.sw() == 2 && g.kw() == 3 && g.dw() == 1;
        this.pairRows = Math.max(1, Math.min(g.oh(), TILE / g.ow()));
        this.rowPitch = rowTile > 0 ? pw : pairs ? g.ow() : 0;
        this.gathersRuns = (long) positions * L * Float.BYTES % (16 * 64) == 0;
        this.tapOffsets = new int[taps];
        for (int c = 0; c < g.ci(); c++) {
            for (int a = 0; a < area; a++) {
                tapOffsets[c * area + a] = c * ph * pw * L + areaOffsets[a];
            }
        }
    }

    ConvGeometry geometry() {
        return g;
    }

    /** Floats of one group's padded input (or its gradient): input blocks x ph x pw x L. */
    int inputFloats() {
        return inputBlocks * BLOCK * ph * pw * L;
    }

    /** Floats of one group's output (or its gradient): output blocks x positions x L. */
    int outputFloats() {
        return outputBlocks * BLOCK * positions * L;
    }

    /** Floats {@link #packForward} writes. */
    int forwardPackedFloats() {
        return forwardBlocks * taps * FORWARD_BLOCK;
    }

    /** Floats {@link #packData} writes. */
    int dataPackedFloats() {
        return area * inputBlocks * g.co() * BLOCK;
    }

    /** W (co x ci kh kw) as [block of 8 outputs][t][8], for the forward pass's broadcasts. */
    void packForward(float[] weight, float[] packed, int at) {
        for (int fb = 0; fb < forwardBlocks; fb++) {
            for (int t = 0; t < taps; t++) {
                for (int i = 0; i < FORWARD_BLOCK; i++) {
                    int o = fb * FORWARD_BLOCK + i;
                    packed[at + (fb * taps + t) * FORWARD_BLOCK + i] = o < g.co() ? weight[o * taps + t] : 0;
                }
            }
        }
    }

    /** W as [a][input block][o][4], for the data gradient's broadcasts. */
    void packData(float[] weight, float[] packed, int at) {
        for (int a = 0; a < area; a++) {
            for (int cb = 0; cb < inputBlocks; cb++) {
                for (int o = 0; o < g.co(); o++) {
                    for (int i = 0; i < BLOCK; i++) {
                        int c = cb * BLOCK + i;
                        packed[at + ((a * inputBlocks + cb) * g.co() + o) * BLOCK + i] = c < g.ci() ? weight[(o * g.ci() + c) * area + a] : 0;
                    }
                }
            }
        }
    }

    // ---- forward: y[o][p] = bias[o] + sum_t W[o][t] x[pos(p) + tap(t)] -------------------------------------

    /**
     * Output positions [p0, p1) of one group (p0 a multiple of {@link #RUN}): x the padded input lanes at
     * xOff, the weights as {@link #packForward} left them at packedOff, y (output blocks x positions x L)
     * at yOff; bias may be null.
     */
    void forward(float[] x, int xOff, float[] packed, int packedOff, float[] bias, float[] y, int yOff, int p0, int p1) {
        int runs = p0 + (p1 - p0) / FORWARD_RUN * FORWARD_RUN;
        int group = RUNS_PER_PANEL * FORWARD_RUN;
        for (int q = p0; q < runs; q += group) {
            int q1 = Math.min(runs, q + group);
            for (int t0 = 0; t0 < taps; t0 += chunkTaps) {
                int t1 = Math.min(taps, t0 + chunkTaps);
                for (int fb = 0; fb < forwardBlocks; fb++) {
                    for (int p = q; p < q1; p += FORWARD_RUN) {
                        forward8x3(x, xOff, p, t0, t1, packed, packedOff + (fb * taps + t0) * FORWARD_BLOCK, bias, fb, y, yOff);
                    }
                }
            }
        }
        for (int p = runs; p < p1; p++) {
            for (int fb = 0; fb < forwardBlocks; fb++) {
                forward8x1(x, xOff + positionOffsets[p], packed, packedOff + fb * taps * FORWARD_BLOCK, bias, fb, y,
                        yOff + (fb * FORWARD_BLOCK * positions + p) * L);
            }
        }
    }

    int positions() {
        return positions;
    }

    int taps() {
        return taps;
    }

    private void forward8x3(float[] x, int xOff, int p, int tFrom, int tTo, float[] packed, int w, float[] bias, int fb, float[] y, int yOff) {
        int a0 = xOff + positionOffsets[p];
        int a1 = xOff + positionOffsets[p + 1];
        int a2 = xOff + positionOffsets[p + 2];
        int o = fb * FORWARD_BLOCK;
        int row = yOff + (o * positions + p) * L;
        int next = positions * L;
        FloatVector c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
        FloatVector c40, c41, c42, c50, c51, c52, c60, c61, c62, c70, c71, c72;
        if (tFrom == 0) {
            c00 = FloatVector.zero(S);
            c01 = c00; c02 = c00;
            c10 = c00; c11 = c00; c12 = c00;
            c20 = c00; c21 = c00; c22 = c00;
            c30 = c00; c31 = c00; c32 = c00;
            c40 = c00; c41 = c00; c42 = c00;
            c50 = c00; c51 = c00; c52 = c00;
            c60 = c00; c61 = c00; c62 = c00;
            c70 = c00; c71 = c00; c72 = c00;
        } else { // the sums of the taps before this chunk
            c00 = FloatVector.fromArray(S, y, row); c01 = FloatVector.fromArray(S, y, row + L); c02 = FloatVector.fromArray(S, y, row + 2 * L);
            c10 = FloatVector.fromArray(S, y, row + 1 * next); c11 = FloatVector.fromArray(S, y, row + 1 * next + L); c12 = FloatVector.fromArray(S, y, row + 1 * next + 2 * L);
            c20 = FloatVector.fromArray(S, y, row + 2 * next); c21 = FloatVector.fromArray(S, y, row + 2 * next + L); c22 = FloatVector.fromArray(S, y, row + 2 * next + 2 * L);
            c30 = FloatVector.fromArray(S, y, row + 3 * next); c31 = FloatVector.fromArray(S, y, row + 3 * next + L); c32 = FloatVector.fromArray(S, y, row + 3 * next + 2 * L);
            c40 = FloatVector.fromArray(S, y, row + 4 * next); c41 = FloatVector.fromArray(S, y, row + 4 * next + L); c42 = FloatVector.fromArray(S, y, row + 4 * next + 2 * L);
            c50 = FloatVector.fromArray(S, y, row + 5 * next); c51 = FloatVector.fromArray(S, y, row + 5 * next + L); c52 = FloatVector.fromArray(S, y, row + 5 * next + 2 * L);
            c60 = FloatVector.fromArray(S, y, row + 6 * next); c61 = FloatVector.fromArray(S, y, row + 6 * next + L); c62 = FloatVector.fromArray(S, y, row + 6 * next + 2 * L);
            c70 = FloatVector.fromArray(S, y, row + 7 * next); c71 = FloatVector.fromArray(S, y, row + 7 * next + L); c72 = FloatVector.fromArray(S, y, row + 7 * next + 2 * L);
        }
        for (int t = tFrom; t < tTo; t++, w += FORWARD_BLOCK) {
            int tap = tapOffsets[t];
            FloatVector v0 = FloatVector.fromArray(S, x, a0 + tap);
            FloatVector v1 = FloatVector.fromArray(S, x, a1 + tap);
            FloatVector v2 = FloatVector.fromArray(S, x, a2 + tap);
            FloatVector wi = FloatVector.broadcast(S, packed[w]);
            c00 = v0.fma(wi, c00); c01 = v1.fma(wi, c01); c02 = v2.fma(wi, c02);
            wi = FloatVector.broadcast(S, packed[w + 1]);
            c10 = v0.fma(wi, c10); c11 = v1.fma(wi, c11); c12 = v2.fma(wi, c12);
            wi = FloatVector.broadcast(S, packed[w + 2]);
            c20 = v0.fma(wi, c20); c21 = v1.fma(wi, c21); c22 = v2.fma(wi, c22);
            wi = FloatVector.broadcast(S, packed[w + 3]);
            c30 = v0.fma(wi, c30); c31 = v1.fma(wi, c31); c32 = v2.fma(wi, c32);
            wi = FloatVector.broadcast(S, packed[w + 4]);
            c40 = v0.fma(wi, c40); c41 = v1.fma(wi, c41); c42 = v2.fma(wi, c42);
            wi = FloatVector.broadcast(S, packed[w + 5]);
            c50 = v0.fma(wi, c50); c51 = v1.fma(wi, c51); c52 = v2.fma(wi, c52);
            wi = FloatVector.broadcast(S, packed[w + 6]);
            c60 = v0.fma(wi, c60); c61 = v1.fma(wi, c61); c62 = v2.fma(wi, c62);
            wi = FloatVector.broadcast(S, packed[w + 7]);
            c70 = v0.fma(wi, c70); c71 = v1.fma(wi, c71); c72 = v2.fma(wi, c72);
        }
        boolean last = tTo == taps;
        FloatVector b0 = FloatVector.broadcast(S, last ? bias(bias, o) : 0);
        c00.add(b0).intoArray(y, row); c01.add(b0).intoArray(y, row + L); c02.add(b0).intoArray(y, row + 2 * L);
        FloatVector b1 = FloatVector.broadcast(S, last ? bias(bias, o + 1) : 0);
        c10.add(b1).intoArray(y, row + 1 * next); c11.add(b1).intoArray(y, row + 1 * next + L); c12.add(b1).intoArray(y, row + 1 * next + 2 * L);
        FloatVector b2 = FloatVector.broadcast(S, last ? bias(bias, o + 2) : 0);
        c20.add(b2).intoArray(y, row + 2 * next); c21.add(b2).intoArray(y, row + 2 * next + L); c22.add(b2).intoArray(y, row + 2 * next + 2 * L);
        FloatVector b3 = FloatVector.broadcast(S, last ? bias(bias, o + 3) : 0);
        c30.add(b3).intoArray(y, row + 3 * next); c31.add(b3).intoArray(y, row + 3 * next + L); c32.add(b3).intoArray(y, row + 3 * next + 2 * L);
        FloatVector b4 = FloatVector.broadcast(S, last ? bias(bias, o + 4) : 0);
        c40.add(b4).intoArray(y, row + 4 * next); c41.add(b4).intoArray(y, row + 4 * next + L); c42.add(b4).intoArray(y, row + 4 * next + 2 * L);
        FloatVector b5 = FloatVector.broadcast(S, last ? bias(bias, o + 5) : 0);
        c50.add(b5).intoArray(y, row + 5 * next); c51.add(b5).intoArray(y, row + 5 * next + L); c52.add(b5).intoArray(y, row + 5 * next + 2 * L);
        FloatVector b6 = FloatVector.broadcast(S, last ? bias(bias, o + 6) : 0);
        c60.add(b6).intoArray(y, row + 6 * next); c61.add(b6).intoArray(y, row + 6 * next + L); c62.add(b6).intoArray(y, row + 6 * next + 2 * L);
        FloatVector b7 = FloatVector.broadcast(S, last ? bias(bias, o + 7) : 0);
        c70.add(b7).intoArray(y, row + 7 * next); c71.add(b7).intoArray(y, row + 7 * next + L); c72.add(b7).intoArray(y, row + 7 * next + 2 * L);
    }

    /** One position: the last of a range that is not a whole run. */
    private void forward8x1(float[] x, int a, float[] packed, int w, float[] bias, int fb, float[] y, int at) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int t = 0; t < taps; t++, w += FORWARD_BLOCK) {
            FloatVector v = FloatVector.fromArray(S, x, a + tapOffsets[t]);
            c0 = v.fma(FloatVector.broadcast(S, packed[w]), c0);
            c1 = v.fma(FloatVector.broadcast(S, packed[w + 1]), c1);
            c2 = v.fma(FloatVector.broadcast(S, packed[w + 2]), c2);
            c3 = v.fma(FloatVector.broadcast(S, packed[w + 3]), c3);
            c4 = v.fma(FloatVector.broadcast(S, packed[w + 4]), c4);
            c5 = v.fma(FloatVector.broadcast(S, packed[w + 5]), c5);
            c6 = v.fma(FloatVector.broadcast(S, packed[w + 6]), c6);
            c7 = v.fma(FloatVector.broadcast(S, packed[w + 7]), c7);
        }
        int o = fb * FORWARD_BLOCK;
        int next = positions * L;
        c0.add(bias(bias, o)).intoArray(y, at);
        c1.add(bias(bias, o + 1)).intoArray(y, at + 1 * next);
        c2.add(bias(bias, o + 2)).intoArray(y, at + 2 * next);
        c3.add(bias(bias, o + 3)).intoArray(y, at + 3 * next);
        c4.add(bias(bias, o + 4)).intoArray(y, at + 4 * next);
        c5.add(bias(bias, o + 5)).intoArray(y, at + 5 * next);
        c6.add(bias(bias, o + 6)).intoArray(y, at + 6 * next);
        c7.add(bias(bias, o + 7)).intoArray(y, at + 7 * next);
    }

    private float bias(float[] bias, int o) {
        return bias == null || o >= g.co() ? 0 : bias[o];
    }

    // ---- weight gradient: dW[o][t] += sum over groups, p, lanes of dy[o][p] x[pos(p) + tap(t)] ---------------

    /**
     * dw[o][t] for the output blocks [ob0, ob1) (at most {@link #SUM_BLOCKS}) and taps [t0, t1) (t0 a multiple
     * of {@link #RUN}), summed over {@code groups} consecutive groups: their padded inputs from xOff
     * ({@link #inputFloats()} apart) and output gradients from dyOff: in lanes, {@link #outputFloats()} apart, or
     * where {@link #gradientInRows()}, in rows as {@link #packRows} lays them out, {@link #rowFloats()} apart. The taps
     * go in chunks of {@link #SUM_TAPS}, whose sums per lane stay in a thread's buffer (in L2) while tiles of
     * positions take the chunk's taps in turn, every output block reading the tile's input while it is still
     * in the caches; then the sums are added into dw lane by lane, in order. Blocks and taps are disjoint parts
     * of dw, so any split of them gives the same bits.
     */
    void weightGradient(float[] x, int xOff, float[] dy, int dyOff, int groups, int ob0, int ob1, int t0, int t1, float[] dw) {
        float[] sums = SUMS.get();
        for (int c0 = t0; c0 < t1; c0 += SUM_TAPS) {
            int c1 = Math.min(t1, c0 + SUM_TAPS);
            java.util.Arrays.fill(sums, 0, (ob1 - ob0) * SUM_TAPS * BLOCK * L, 0);
            for (int group = 0; group < groups; group++) {
                int xg = xOff + group * inputFloats();
                int dg = dyOff + group * outputFloats();
                if (rowTile > 0) {
                    sumInRows(x, xg, dy, dyOff + group * rowFloats(), ob0, ob1, c0, c1, sums);
                } else if (pairs) {
                    sumInPairs(x, xg, dy, dyOff + group * rowFloats(), ob0, ob1, c0, c1, sums);
                } else {
                    sumInTiles(x, xg, dy, dg, ob0, ob1, c0, c1, sums);
                }
            }
            for (int ob = ob0; ob < ob1; ob++) {
                addLanes(sums, (ob - ob0) * SUM_TAPS * BLOCK * L, ob, c0, c1, dw);
            }
        }
    }

    /** Output blocks whose sums one pass of the weight gradient keeps, and taps per chunk: 192 KiB of sums. */
    static final int SUM_BLOCKS = 8;
    private static final int SUM_TAPS = 16 * RUN;
    private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[SUM_BLOCKS * SUM_TAPS * BLOCK * L]);

    /** Positions of one tile of the weight gradient at strides other than 1. */
    private static final int TILE = 64;

    /** One group's part of the chunk of taps [c0, c1) for the output blocks [ob0, ob1), in tiles of {@link #TILE} positions. */
    private void sumInTiles(float[] x, int xg, float[] dy, int dg, int ob0, int ob1, int c0, int c1, float[] sums) {
        int runs = c0 + (c1 - c0) / RUN * RUN;
        for (int p0 = 0; p0 < positions; p0 += TILE) {
            int p1 = Math.min(positions, p0 + TILE);
            for (int ob = ob0; ob < ob1; ob++) {
                int at = (ob - ob0) * SUM_TAPS * BLOCK * L;
                for (int t = c0; t < runs; t += RUN) {
                    weightGradient4x6(x, xg, dy, dg, p0, p1, ob, t, sums, at + (t - c0) * BLOCK * L);
                }
                for (int t = runs; t < c1; t++) {
                    weightGradient4x1(x, xg, dy, dg + (ob * BLOCK * positions + p0) * L, L, positions * L, p0, p1, t, sums,
                            at + (t - c0) * BLOCK * L);
                }
            }
        }
    }

    /**
     * The same at column stride 2 for kernels 3 taps wide, tiles of whole output rows, the output gradient in rows
     * ({@link #packRows}: a block's four channels side by side, position after position): a run of 6 taps (t a
     * multiple of 6) is two kernel rows, A and B, and output column ox reads row A at columns 2 ox, 2 ox + 1 and
     * 2 ox + 2 of the padded input, so the run's loads advance by a fixed step along an output row instead
     * of through the position table ({@link #weightGradientPairs4x6}). The taps after the last whole run go
     * position by position. Each sum still takes the positions in order.
     */
    private void sumInPairs(float[] x, int xg, float[] rows, int rg, int ob0, int ob1, int c0, int c1, float[] sums) {
        int runs = c0 + (c1 - c0) / RUN * RUN;
        int ow = g.ow();
        for (int oy0 = 0; oy0 < g.oh(); oy0 += pairRows) {
            int outputRows = Math.min(g.oh(), oy0 + pairRows) - oy0;
            int first = xg + positionOffsets[oy0 * ow];
            for (int ob = ob0; ob < ob1; ob++) {
                int at = (ob - ob0) * SUM_TAPS * BLOCK * L;
                int d = rg + (ob * positions + oy0 * ow) * BLOCK * L;
                for (int t = c0; t < runs; t += RUN) {
                    weightGradientPairs4x6(x, first + tapOffsets[t], first + tapOffsets[t + 3], g.sh() * pw * L, rows, d, outputRows, ow, sums,
                            at + (t - c0) * BLOCK * L);
                }
            }
        }
        if (runs < c1) {
            for (int p0 = 0; p0 < positions; p0 += TILE) {
                int p1 = Math.min(positions, p0 + TILE);
                for (int ob = ob0; ob < ob1; ob++) {
                    int at = (ob - ob0) * SUM_TAPS * BLOCK * L;
                    for (int t = runs; t < c1; t++) {
                        weightGradient4x1(x, xg, rows, rg + (ob * positions + p0) * BLOCK * L, BLOCK * L, L, p0, p1, t, sums,
                                at + (t - c0) * BLOCK * L);
                    }
                }
            }
        }
    }

    /**
     * Sums at [j][i] (6 taps by 4 channels of a block) over {@code outputRows} output rows of {@code ow} positions, the
     * block's output gradients in rows from d ([position][4][L]): rows A and B of the input from rowA and rowB,
     * {@code pitch} apart from one output row to the next. Along a row the taps read columns 2q, 2q + 1 and 2q + 2:
     * 6 input loads and 4 output gradient loads, side by side, a position for 24 multiply-adds, every index a fixed
     * step from the row's start. (Keeping the third column for the next position's first, 4 input loads, leaves 31
     * vectors live and one sum on the stack: 7 to 9% slower alone. With the output gradient in lanes, four planes
     * apart, as well: 15 to 30% slower.)
     */
    private static void weightGradientPairs4x6(float[] x, int rowA, int rowB, int pitch, float[] rows, int d, int outputRows, int ow,
            float[] sums, int at) {
        FloatVector c00 = FloatVector.fromArray(S, sums, at), c10 = FloatVector.fromArray(S, sums, at + L);
        FloatVector c20 = FloatVector.fromArray(S, sums, at + 2 * L), c30 = FloatVector.fromArray(S, sums, at + 3 * L);
        FloatVector c01 = FloatVector.fromArray(S, sums, at + 4 * L), c11 = FloatVector.fromArray(S, sums, at + 5 * L);
        FloatVector c21 = FloatVector.fromArray(S, sums, at + 6 * L), c31 = FloatVector.fromArray(S, sums, at + 7 * L);
        FloatVector c02 = FloatVector.fromArray(S, sums, at + 8 * L), c12 = FloatVector.fromArray(S, sums, at + 9 * L);
        FloatVector c22 = FloatVector.fromArray(S, sums, at + 10 * L), c32 = FloatVector.fromArray(S, sums, at + 11 * L);
        FloatVector c03 = FloatVector.fromArray(S, sums, at + 12 * L), c13 = FloatVector.fromArray(S, sums, at + 13 * L);
        FloatVector c23 = FloatVector.fromArray(S, sums, at + 14 * L), c33 = FloatVector.fromArray(S, sums, at + 15 * L);
        FloatVector c04 = FloatVector.fromArray(S, sums, at + 16 * L), c14 = FloatVector.fromArray(S, sums, at + 17 * L);
        FloatVector c24 = FloatVector.fromArray(S, sums, at + 18 * L), c34 = FloatVector.fromArray(S, sums, at + 19 * L);
        FloatVector c05 = FloatVector.fromArray(S, sums, at + 20 * L), c15 = FloatVector.fromArray(S, sums, at + 21 * L);
        FloatVector c25 = FloatVector.fromArray(S, sums, at + 22 * L), c35 = FloatVector.fromArray(S, sums, at + 23 * L);
        for (int r = 0; r < outputRows; r++) {
            int xa = rowA + r * pitch;
            int xb = rowB + r * pitch;
            int dr = d + r * ow * BLOCK * L;
            for (int q = 0; q < ow; q++) {
                int column = 2 * q * L;
                FloatVector a0 = FloatVector.fromArray(S, x, xa + column);
                FloatVector a1 = FloatVector.fromArray(S, x, xa + column + L);
                FloatVector a2 = FloatVector.fromArray(S, x, xa + column + 2 * L);
                FloatVector b0 = FloatVector.fromArray(S, x, xb + column);
                FloatVector b1 = FloatVector.fromArray(S, x, xb + column + L);
                FloatVector b2 = FloatVector.fromArray(S, x, xb + column + 2 * L);
                int dq = dr + q * BLOCK * L;
                FloatVector v = FloatVector.fromArray(S, rows, dq);
                c00 = v.fma(a0, c00); c01 = v.fma(a1, c01); c02 = v.fma(a2, c02); c03 = v.fma(b0, c03); c04 = v.fma(b1, c04); c05 = v.fma(b2, c05);
                v = FloatVector.fromArray(S, rows, dq + L);
                c10 = v.fma(a0, c10); c11 = v.fma(a1, c11); c12 = v.fma(a2, c12); c13 = v.fma(b0, c13); c14 = v.fma(b1, c14); c15 = v.fma(b2, c15);
                v = FloatVector.fromArray(S, rows, dq + 2 * L);
                c20 = v.fma(a0, c20); c21 = v.fma(a1, c21); c22 = v.fma(a2, c22); c23 = v.fma(b0, c23); c24 = v.fma(b1, c24); c25 = v.fma(b2, c25);
                v = FloatVector.fromArray(S, rows, dq + 3 * L);
                c30 = v.fma(a0, c30); c31 = v.fma(a1, c31); c32 = v.fma(a2, c32); c33 = v.fma(b0, c33); c34 = v.fma(b1, c34); c35 = v.fma(b2, c35);
            }
        }
        c00.intoArray(sums, at); c10.intoArray(sums, at + L); c20.intoArray(sums, at + 2 * L); c30.intoArray(sums, at + 3 * L);
        c01.intoArray(sums, at + 4 * L); c11.intoArray(sums, at + 5 * L); c21.intoArray(sums, at + 6 * L); c31.intoArray(sums, at + 7 * L);
        c02.intoArray(sums, at + 8 * L); c12.intoArray(sums, at + 9 * L); c22.intoArray(sums, at + 10 * L); c32.intoArray(sums, at + 11 * L);
        c03.intoArray(sums, at + 12 * L); c13.intoArray(sums, at + 13 * L); c23.intoArray(sums, at + 14 * L); c33.intoArray(sums, at + 15 * L);
        c04.intoArray(sums, at + 16 * L); c14.intoArray(sums, at + 17 * L); c24.intoArray(sums, at + 18 * L); c34.intoArray(sums, at + 19 * L);
        c05.intoArray(sums, at + 20 * L); c15.intoArray(sums, at + 21 * L); c25.intoArray(sums, at + 22 * L); c35.intoArray(sums, at + 23 * L);
    }

    /**
     * The same at stride 1, a tile of whole output rows at a time. Output row oy and column ox read the padded
     * input at (oy pw + ox) L + tap, so a tile's positions are one line in the input when the output gradient
     * is laid out with the input's row pitch: {@link #packRows} copies a block's four channels side by side,
     * [oy][pw][4][L], with zeros in the columns past the output's width. The kernels then index both arrays
     * from one counter, which lets the compiler drop the bounds checks. The zero columns add zeros to the
     * sums, which leaves them as they were while the input is finite (an infinity there would add a NaN).
     */
    private void sumInRows(float[] x, int xg, float[] rows, int rg, int ob0, int ob1, int c0, int c1, float[] sums) {
        int runs = c0 + (c1 - c0) / RUN * RUN;
        for (int oy0 = 0; oy0 < g.oh(); oy0 += rowTile) {
            int oy1 = Math.min(g.oh(), oy0 + rowTile);
            int line = (oy1 - oy0 - 1) * pw + g.ow();
            int xRow = xg + oy0 * pw * L;
            for (int ob = ob0; ob < ob1; ob++) {
                int r = rg + (ob * g.oh() + oy0) * pw * BLOCK * L;
                int at = (ob - ob0) * SUM_TAPS * BLOCK * L;
                for (int t = c0; t < runs; t += RUN) {
                    if (slides) {
                        weightGradientSlide4x6(x, xRow + tapOffsets[t], xRow + tapOffsets[t + 3], rows, r, line, sums, at + (t - c0) * BLOCK * L);
                    } else {
                        weightGradientRows4x6(x, xRow, rows, r, line, t, sums, at + (t - c0) * BLOCK * L);
                    }
                }
                for (int t = runs; t < c1; t++) {
                    weightGradientRows4x1(x, xRow + tapOffsets[t], rows, r, line, sums, at + (t - c0) * BLOCK * L);
                }
            }
        }
    }

    /** Whether {@link #weightGradient} reads the output gradient as {@link #packRows} lays it out (at stride 1 and in pairs), not as lanes. */
    boolean gradientInRows() {
        return rowPitch > 0;
    }

    /** Floats of one group's output gradient in rows: output blocks x oh x the row pitch x 4 x L. */
    int rowFloats() {
        return outputBlocks * g.oh() * rowPitch * BLOCK * L;
    }

    /**
     * The output gradient of block ob of one group, from the lanes at dyOff to rows at rowsOff:
     * rows[ob][oy][ox][i] = dy[ob 4 + i][oy][ox], zero for ox past the output's width (up to the row pitch).
     */
    void packRows(float[] dy, int dyOff, int ob, float[] rows, int rowsOff) {
        int next = positions * L;
        int ow = g.ow();
        FloatVector zero = FloatVector.zero(S);
        for (int oy = 0; oy < g.oh(); oy++) {
            int d = dyOff + (ob * BLOCK * positions + oy * ow) * L;
            int r = rowsOff + (ob * g.oh() + oy) * rowPitch * BLOCK * L;
            for (int ox = 0; ox < ow; ox++, d += L, r += BLOCK * L) {
                FloatVector.fromArray(S, dy, d).intoArray(rows, r);
                FloatVector.fromArray(S, dy, d + next).intoArray(rows, r + L);
                FloatVector.fromArray(S, dy, d + 2 * next).intoArray(rows, r + 2 * L);
                FloatVector.fromArray(S, dy, d + 3 * next).intoArray(rows, r + 3 * L);
            }
            for (int ox = ow; ox < rowPitch; ox++, r += BLOCK * L) {
                zero.intoArray(rows, r);
                zero.intoArray(rows, r + L);
                zero.intoArray(rows, r + 2 * L);
                zero.intoArray(rows, r + 3 * L);
            }
        }
    }

    private void weightGradientRows4x6(float[] x, int xRow, float[] rows, int r, int line, int t, float[] sums, int at) {
        int x0 = xRow + tapOffsets[t], x1 = xRow + tapOffsets[t + 1], x2 = xRow + tapOffsets[t + 2];
        int x3 = xRow + tapOffsets[t + 3], x4 = xRow + tapOffsets[t + 4], x5 = xRow + tapOffsets[t + 5];
        // sums at [j][i] for j < 6 taps, i < 4 channels
        FloatVector c00 = FloatVector.fromArray(S, sums, at), c10 = FloatVector.fromArray(S, sums, at + L);
        FloatVector c20 = FloatVector.fromArray(S, sums, at + 2 * L), c30 = FloatVector.fromArray(S, sums, at + 3 * L);
        FloatVector c01 = FloatVector.fromArray(S, sums, at + 4 * L), c11 = FloatVector.fromArray(S, sums, at + 5 * L);
        FloatVector c21 = FloatVector.fromArray(S, sums, at + 6 * L), c31 = FloatVector.fromArray(S, sums, at + 7 * L);
        FloatVector c02 = FloatVector.fromArray(S, sums, at + 8 * L), c12 = FloatVector.fromArray(S, sums, at + 9 * L);
        FloatVector c22 = FloatVector.fromArray(S, sums, at + 10 * L), c32 = FloatVector.fromArray(S, sums, at + 11 * L);
        FloatVector c03 = FloatVector.fromArray(S, sums, at + 12 * L), c13 = FloatVector.fromArray(S, sums, at + 13 * L);
        FloatVector c23 = FloatVector.fromArray(S, sums, at + 14 * L), c33 = FloatVector.fromArray(S, sums, at + 15 * L);
        FloatVector c04 = FloatVector.fromArray(S, sums, at + 16 * L), c14 = FloatVector.fromArray(S, sums, at + 17 * L);
        FloatVector c24 = FloatVector.fromArray(S, sums, at + 18 * L), c34 = FloatVector.fromArray(S, sums, at + 19 * L);
        FloatVector c05 = FloatVector.fromArray(S, sums, at + 20 * L), c15 = FloatVector.fromArray(S, sums, at + 21 * L);
        FloatVector c25 = FloatVector.fromArray(S, sums, at + 22 * L), c35 = FloatVector.fromArray(S, sums, at + 23 * L);
        for (int q = 0; q < line; q++) {
            int d = r + q * BLOCK * L;
            int a = q * L;
            FloatVector d0 = FloatVector.fromArray(S, rows, d);
            FloatVector d1 = FloatVector.fromArray(S, rows, d + L);
            FloatVector d2 = FloatVector.fromArray(S, rows, d + 2 * L);
            FloatVector d3 = FloatVector.fromArray(S, rows, d + 3 * L);
            FloatVector v = FloatVector.fromArray(S, x, x0 + a);
            c00 = d0.fma(v, c00); c10 = d1.fma(v, c10); c20 = d2.fma(v, c20); c30 = d3.fma(v, c30);
            v = FloatVector.fromArray(S, x, x1 + a);
            c01 = d0.fma(v, c01); c11 = d1.fma(v, c11); c21 = d2.fma(v, c21); c31 = d3.fma(v, c31);
            v = FloatVector.fromArray(S, x, x2 + a);
            c02 = d0.fma(v, c02); c12 = d1.fma(v, c12); c22 = d2.fma(v, c22); c32 = d3.fma(v, c32);
            v = FloatVector.fromArray(S, x, x3 + a);
            c03 = d0.fma(v, c03); c13 = d1.fma(v, c13); c23 = d2.fma(v, c23); c33 = d3.fma(v, c33);
            v = FloatVector.fromArray(S, x, x4 + a);
            c04 = d0.fma(v, c04); c14 = d1.fma(v, c14); c24 = d2.fma(v, c24); c34 = d3.fma(v, c34);
            v = FloatVector.fromArray(S, x, x5 + a);
            c05 = d0.fma(v, c05); c15 = d1.fma(v, c15); c25 = d2.fma(v, c25); c35 = d3.fma(v, c35);
        }
        c00.intoArray(sums, at); c10.intoArray(sums, at + L); c20.intoArray(sums, at + 2 * L); c30.intoArray(sums, at + 3 * L);
        c01.intoArray(sums, at + 4 * L); c11.intoArray(sums, at + 5 * L); c21.intoArray(sums, at + 6 * L); c31.intoArray(sums, at + 7 * L);
        c02.intoArray(sums, at + 8 * L); c12.intoArray(sums, at + 9 * L); c22.intoArray(sums, at + 10 * L); c32.intoArray(sums, at + 11 * L);
        c03.intoArray(sums, at + 12 * L); c13.intoArray(sums, at + 13 * L); c23.intoArray(sums, at + 14 * L); c33.intoArray(sums, at + 15 * L);
        c04.intoArray(sums, at + 16 * L); c14.intoArray(sums, at + 17 * L); c24.intoArray(sums, at + 18 * L); c34.intoArray(sums, at + 19 * L);
        c05.intoArray(sums, at + 20 * L); c15.intoArray(sums, at + 21 * L); c25.intoArray(sums, at + 22 * L); c35.intoArray(sums, at + 23 * L);
    }

    /**
     * The same for kernels 3 taps wide (stride 1, no dilation along rows), where a run of 6 taps is two kernel
     * rows: the taps of a row read the input at q, q + 1 and q + 2, so each row keeps those three vectors and
     * slides them along, one new load per row and position instead of three. Per position 4 output gradient
     * loads and 2 input loads feed 24 multiply-adds (10 loads otherwise); the sums come out the same.
     */
    private static void weightGradientSlide4x6(float[] x, int rowA, int rowB, float[] rows, int r, int line, float[] sums, int at) {
        // sums at [j][i] for j < 6 taps (3 of row A, then 3 of row B), i < 4 channels
        FloatVector c00 = FloatVector.fromArray(S, sums, at), c10 = FloatVector.fromArray(S, sums, at + L);
        FloatVector c20 = FloatVector.fromArray(S, sums, at + 2 * L), c30 = FloatVector.fromArray(S, sums, at + 3 * L);
        FloatVector c01 = FloatVector.fromArray(S, sums, at + 4 * L), c11 = FloatVector.fromArray(S, sums, at + 5 * L);
        FloatVector c21 = FloatVector.fromArray(S, sums, at + 6 * L), c31 = FloatVector.fromArray(S, sums, at + 7 * L);
        FloatVector c02 = FloatVector.fromArray(S, sums, at + 8 * L), c12 = FloatVector.fromArray(S, sums, at + 9 * L);
        FloatVector c22 = FloatVector.fromArray(S, sums, at + 10 * L), c32 = FloatVector.fromArray(S, sums, at + 11 * L);
        FloatVector c03 = FloatVector.fromArray(S, sums, at + 12 * L), c13 = FloatVector.fromArray(S, sums, at + 13 * L);
        FloatVector c23 = FloatVector.fromArray(S, sums, at + 14 * L), c33 = FloatVector.fromArray(S, sums, at + 15 * L);
        FloatVector c04 = FloatVector.fromArray(S, sums, at + 16 * L), c14 = FloatVector.fromArray(S, sums, at + 17 * L);
        FloatVector c24 = FloatVector.fromArray(S, sums, at + 18 * L), c34 = FloatVector.fromArray(S, sums, at + 19 * L);
        FloatVector c05 = FloatVector.fromArray(S, sums, at + 20 * L), c15 = FloatVector.fromArray(S, sums, at + 21 * L);
        FloatVector c25 = FloatVector.fromArray(S, sums, at + 22 * L), c35 = FloatVector.fromArray(S, sums, at + 23 * L);
        FloatVector a0 = FloatVector.fromArray(S, x, rowA), a1 = FloatVector.fromArray(S, x, rowA + L);
        FloatVector b0 = FloatVector.fromArray(S, x, rowB), b1 = FloatVector.fromArray(S, x, rowB + L);
        for (int q = 0; q < line; q++) {
            int d = r + q * BLOCK * L;
            int a = q * L + 2 * L;
            FloatVector a2 = FloatVector.fromArray(S, x, rowA + a);
            FloatVector b2 = FloatVector.fromArray(S, x, rowB + a);
            FloatVector v = FloatVector.fromArray(S, rows, d);
            c00 = v.fma(a0, c00); c01 = v.fma(a1, c01); c02 = v.fma(a2, c02); c03 = v.fma(b0, c03); c04 = v.fma(b1, c04); c05 = v.fma(b2, c05);
            v = FloatVector.fromArray(S, rows, d + L);
            c10 = v.fma(a0, c10); c11 = v.fma(a1, c11); c12 = v.fma(a2, c12); c13 = v.fma(b0, c13); c14 = v.fma(b1, c14); c15 = v.fma(b2, c15);
            v = FloatVector.fromArray(S, rows, d + 2 * L);
            c20 = v.fma(a0, c20); c21 = v.fma(a1, c21); c22 = v.fma(a2, c22); c23 = v.fma(b0, c23); c24 = v.fma(b1, c24); c25 = v.fma(b2, c25);
            v = FloatVector.fromArray(S, rows, d + 3 * L);
            c30 = v.fma(a0, c30); c31 = v.fma(a1, c31); c32 = v.fma(a2, c32); c33 = v.fma(b0, c33); c34 = v.fma(b1, c34); c35 = v.fma(b2, c35);
            a0 = a1; a1 = a2;
            b0 = b1; b1 = b2;
        }
        c00.intoArray(sums, at); c10.intoArray(sums, at + L); c20.intoArray(sums, at + 2 * L); c30.intoArray(sums, at + 3 * L);
        c01.intoArray(sums, at + 4 * L); c11.intoArray(sums, at + 5 * L); c21.intoArray(sums, at + 6 * L); c31.intoArray(sums, at + 7 * L);
        c02.intoArray(sums, at + 8 * L); c12.intoArray(sums, at + 9 * L); c22.intoArray(sums, at + 10 * L); c32.intoArray(sums, at + 11 * L);
        c03.intoArray(sums, at + 12 * L); c13.intoArray(sums, at + 13 * L); c23.intoArray(sums, at + 14 * L); c33.intoArray(sums, at + 15 * L);
        c04.intoArray(sums, at + 16 * L); c14.intoArray(sums, at + 17 * L); c24.intoArray(sums, at + 18 * L); c34.intoArray(sums, at + 19 * L);
        c05.intoArray(sums, at + 20 * L); c15.intoArray(sums, at + 21 * L); c25.intoArray(sums, at + 22 * L); c35.intoArray(sums, at + 23 * L);
    }

    private static void weightGradientRows4x1(float[] x, int a, float[] rows, int r, int line, float[] sums, int at) {
        FloatVector c0 = FloatVector.fromArray(S, sums, at), c1 = FloatVector.fromArray(S, sums, at + L);
        FloatVector c2 = FloatVector.fromArray(S, sums, at + 2 * L), c3 = FloatVector.fromArray(S, sums, at + 3 * L);
        for (int q = 0; q < line; q++) {
            int d = r + q * BLOCK * L;
            FloatVector v = FloatVector.fromArray(S, x, a + q * L);
            c0 = FloatVector.fromArray(S, rows, d).fma(v, c0);
            c1 = FloatVector.fromArray(S, rows, d + L).fma(v, c1);
            c2 = FloatVector.fromArray(S, rows, d + 2 * L).fma(v, c2);
            c3 = FloatVector.fromArray(S, rows, d + 3 * L).fma(v, c3);
        }
        c0.intoArray(sums, at);
        c1.intoArray(sums, at + L);
        c2.intoArray(sums, at + 2 * L);
        c3.intoArray(sums, at + 3 * L);
    }

    private void weightGradient4x6(float[] x, int xg, float[] dy, int dg, int p0, int p1, int ob, int t, float[] sums, int at) {
        int t0 = tapOffsets[t], t1 = tapOffsets[t + 1], t2 = tapOffsets[t + 2];
        int t3 = tapOffsets[t + 3], t4 = tapOffsets[t + 4], t5 = tapOffsets[t + 5];
        // sums at [j][i] for j < 6 taps, i < 4 channels
        FloatVector c00 = FloatVector.fromArray(S, sums, at), c10 = FloatVector.fromArray(S, sums, at + L);
        FloatVector c20 = FloatVector.fromArray(S, sums, at + 2 * L), c30 = FloatVector.fromArray(S, sums, at + 3 * L);
        FloatVector c01 = FloatVector.fromArray(S, sums, at + 4 * L), c11 = FloatVector.fromArray(S, sums, at + 5 * L);
        FloatVector c21 = FloatVector.fromArray(S, sums, at + 6 * L), c31 = FloatVector.fromArray(S, sums, at + 7 * L);
        FloatVector c02 = FloatVector.fromArray(S, sums, at + 8 * L), c12 = FloatVector.fromArray(S, sums, at + 9 * L);
        FloatVector c22 = FloatVector.fromArray(S, sums, at + 10 * L), c32 = FloatVector.fromArray(S, sums, at + 11 * L);
        FloatVector c03 = FloatVector.fromArray(S, sums, at + 12 * L), c13 = FloatVector.fromArray(S, sums, at + 13 * L);
        FloatVector c23 = FloatVector.fromArray(S, sums, at + 14 * L), c33 = FloatVector.fromArray(S, sums, at + 15 * L);
        FloatVector c04 = FloatVector.fromArray(S, sums, at + 16 * L), c14 = FloatVector.fromArray(S, sums, at + 17 * L);
        FloatVector c24 = FloatVector.fromArray(S, sums, at + 18 * L), c34 = FloatVector.fromArray(S, sums, at + 19 * L);
        FloatVector c05 = FloatVector.fromArray(S, sums, at + 20 * L), c15 = FloatVector.fromArray(S, sums, at + 21 * L);
        FloatVector c25 = FloatVector.fromArray(S, sums, at + 22 * L), c35 = FloatVector.fromArray(S, sums, at + 23 * L);
        int next = positions * L;
        int d = dg + (ob * BLOCK * positions + p0) * L;
        for (int p = p0; p < p1; p++, d += L) {
            int a = xg + positionOffsets[p];
            FloatVector d0 = FloatVector.fromArray(S, dy, d);
            FloatVector d1 = FloatVector.fromArray(S, dy, d + next);
            FloatVector d2 = FloatVector.fromArray(S, dy, d + 2 * next);
            FloatVector d3 = FloatVector.fromArray(S, dy, d + 3 * next);
            FloatVector v = FloatVector.fromArray(S, x, a + t0);
            c00 = d0.fma(v, c00); c10 = d1.fma(v, c10); c20 = d2.fma(v, c20); c30 = d3.fma(v, c30);
            v = FloatVector.fromArray(S, x, a + t1);
            c01 = d0.fma(v, c01); c11 = d1.fma(v, c11); c21 = d2.fma(v, c21); c31 = d3.fma(v, c31);
            v = FloatVector.fromArray(S, x, a + t2);
            c02 = d0.fma(v, c02); c12 = d1.fma(v, c12); c22 = d2.fma(v, c22); c32 = d3.fma(v, c32);
            v = FloatVector.fromArray(S, x, a + t3);
            c03 = d0.fma(v, c03); c13 = d1.fma(v, c13); c23 = d2.fma(v, c23); c33 = d3.fma(v, c33);
            v = FloatVector.fromArray(S, x, a + t4);
            c04 = d0.fma(v, c04); c14 = d1.fma(v, c14); c24 = d2.fma(v, c24); c34 = d3.fma(v, c34);
            v = FloatVector.fromArray(S, x, a + t5);
            c05 = d0.fma(v, c05); c15 = d1.fma(v, c15); c25 = d2.fma(v, c25); c35 = d3.fma(v, c35);
        }
        c00.intoArray(sums, at); c10.intoArray(sums, at + L); c20.intoArray(sums, at + 2 * L); c30.intoArray(sums, at + 3 * L);
        c01.intoArray(sums, at + 4 * L); c11.intoArray(sums, at + 5 * L); c21.intoArray(sums, at + 6 * L); c31.intoArray(sums, at + 7 * L);
        c02.intoArray(sums, at + 8 * L); c12.intoArray(sums, at + 9 * L); c22.intoArray(sums, at + 10 * L); c32.intoArray(sums, at + 11 * L);
        c03.intoArray(sums, at + 12 * L); c13.intoArray(sums, at + 13 * L); c23.intoArray(sums, at + 14 * L); c33.intoArray(sums, at + 15 * L);
        c04.intoArray(sums, at + 16 * L); c14.intoArray(sums, at + 17 * L); c24.intoArray(sums, at + 18 * L); c34.intoArray(sums, at + 19 * L);
        c05.intoArray(sums, at + 20 * L); c15.intoArray(sums, at + 21 * L); c25.intoArray(sums, at + 22 * L); c35.intoArray(sums, at + 23 * L);
    }

    /**
     * Sums at [i] (tap t by 4 channels of a block) over the positions [p0, p1), the block's output gradients from d:
     * {@code step} apart from one position to the next and {@code next} from one channel to the next (in lanes or in rows).
     */
    private void weightGradient4x1(float[] x, int xg, float[] dy, int d, int step, int next, int p0, int p1, int t, float[] sums, int at) {
        FloatVector c0 = FloatVector.fromArray(S, sums, at), c1 = FloatVector.fromArray(S, sums, at + L);
        FloatVector c2 = FloatVector.fromArray(S, sums, at + 2 * L), c3 = FloatVector.fromArray(S, sums, at + 3 * L);
        int a = xg + tapOffsets[t];
        for (int p = p0; p < p1; p++, d += step) {
            FloatVector v = FloatVector.fromArray(S, x, a + positionOffsets[p]);
            c0 = FloatVector.fromArray(S, dy, d).fma(v, c0);
            c1 = FloatVector.fromArray(S, dy, d + next).fma(v, c1);
            c2 = FloatVector.fromArray(S, dy, d + 2 * next).fma(v, c2);
            c3 = FloatVector.fromArray(S, dy, d + 3 * next).fma(v, c3);
        }
        c0.intoArray(sums, at);
        c1.intoArray(sums, at + L);
        c2.intoArray(sums, at + 2 * L);
        c3.intoArray(sums, at + 3 * L);
    }

    /**
     * db[o] for the channels of output block ob: the output gradient of {@code groups} consecutive groups at
     * dyOff ({@link #outputFloats()} apart) summed over positions per lane, in two vectors of alternate
     * positions, then the lanes added in order in float64 (lanes without a sample hold zeros).
     */
    void biasGradient(float[] dy, int dyOff, int groups, int ob, float[] db) {
        for (int o = ob * BLOCK; o < Math.min(g.co(), (ob + 1) * BLOCK); o++) {
            FloatVector even = FloatVector.zero(S);
            FloatVector odd = even;
            for (int group = 0; group < groups; group++) {
                int d = dyOff + group * outputFloats() + o * positions * L;
                int p = 0;
                for (; p + 1 < positions; p += 2, d += 2 * L) {
                    even = even.add(FloatVector.fromArray(S, dy, d));
                    odd = odd.add(FloatVector.fromArray(S, dy, d + L));
                }
                if (p < positions) {
                    even = even.add(FloatVector.fromArray(S, dy, d));
                }
            }
            FloatVector sums = even.add(odd);
            double sum = 0;
            for (int lane = 0; lane < L; lane++) {
                sum += sums.lane(lane);
            }
            db[o] += (float) sum;
        }
    }

    /**
     * dw[o][t] += the lanes of sums[from + (t - t0) 4 L + o % 4 L] for o in block ob, t in [t0, t1), added in lane order (the
     * order of a vector reduction is not fixed): each channel's sums are transposed to [lane][t], then its
     * rows added one after the other, a vector of taps at a time.
     */
    private void addLanes(float[] sums, int from, int ob, int t0, int t1, float[] dw) {
        float[] byLane = BY_LANE.get();
        int n = t1 - t0;
        for (int o = ob * BLOCK; o < Math.min(g.co(), (ob + 1) * BLOCK); o++) {
            Lanes.transpose(sums, from + o % BLOCK * L, BLOCK * L, n, L, byLane, 0, SUM_TAPS, false);
            int at = o * taps + t0;
            int t = 0;
            for (; t <= n - L; t += L) {
                FloatVector sum = FloatVector.zero(S);
                for (int lane = 0; lane < L; lane++) {
                    sum = sum.add(FloatVector.fromArray(S, byLane, lane * SUM_TAPS + t));
                }
                FloatVector.fromArray(S, dw, at + t).add(sum).intoArray(dw, at + t);
            }
            for (; t < n; t++) {
                float sum = 0;
                for (int lane = 0; lane < L; lane++) {
                    sum += byLane[lane * SUM_TAPS + t];
                }
                dw[at + t] += sum;
            }
        }
    }

    /** A chunk's sums of one channel, transposed to [lane][tap]. */
    private static final ThreadLocal<float[]> BY_LANE = ThreadLocal.withInitial(() -> new float[L * SUM_TAPS]);

    // ---- data gradient: dx[c][pos(p) + area(a)] += sum_o W[o][c][a] dy[o][p] -----------------------------------

    /**
     * The input channel block cb of one group: adds into dx (the padded input's gradient, that block zeroed
     * by the caller) at dxOff, from dy at dyOff. Blocks are disjoint parts of dx.
     */
    void dataGradient(float[] dy, int dyOff, float[] packed, int packedOff, float[] dx, int dxOff, int cb) {
        int runs = positions / RUN * RUN;
        for (int p = 0; p < runs; p += RUN) {
            for (int o0 = 0; o0 < g.co(); o0 += GRADIENT_CHANNELS) {
                int o1 = Math.min(g.co(), o0 + GRADIENT_CHANNELS);
                if (gathersRuns) {
                    float[] run = RUN_GRADIENT.get();
                    for (int o = o0; o < o1; o++) {
                        System.arraycopy(dy, dyOff + o * positions * L + p * L, run, (o - o0) * RUN * L, RUN * L);
                    }
                    for (int a = 0; a < area; a++) {
                        dataGradient4x6(run, -o0 * RUN * L, RUN * L, packed, packedOff, cb, p, a, o0, o1, dx, dxOff);
                    }
                    continue;
                }
                for (int a = 0; a < area; a++) {
                    dataGradient4x6(dy, dyOff + p * L, positions * L, packed, packedOff, cb, p, a, o0, o1, dx, dxOff);
                }
            }
        }
        for (int p = runs; p < positions; p++) {
            for (int a = 0; a < area; a++) {
                dataGradient4x1(dy, dyOff + p * L, packed, packedOff, cb, a, dx, dxOff + cb * BLOCK * ph * pw * L + positionOffsets[p] + areaOffsets[a]);
            }
        }
    }

    /**
     * Output channels whose gradient over a run of positions (6 vectors each, 24 KiB) the scattered data
     * gradient takes across every tap before the next: read from L1 nine times for a 3x3 kernel, not from L2.
     */
    private static final int GRADIENT_CHANNELS = 64;

    /** A run's output gradient for {@link #GRADIENT_CHANNELS} channels, side by side, where {@link #gathersRuns}. */
    private static final ThreadLocal<float[]> RUN_GRADIENT = ThreadLocal.withInitial(() -> new float[GRADIENT_CHANNELS * RUN * L]);

    /**
     * Input channels 4 cb .. 4 cb + 3 at positions [p, p + 6) and tap a, summed over output channels [o0, o1): channel
     * o's output gradient for the run from {@code dyOff + o next}.
     */
    private void dataGradient4x6(float[] dy, int dyOff, int next, float[] packed, int packedOff, int cb, int p, int a, int o0, int o1, float[] dx,
            int dxOff) {
        int plane = ph * pw * L;
        int base = dxOff + cb * BLOCK * plane + areaOffsets[a];
        int a0 = base + positionOffsets[p], a1 = base + positionOffsets[p + 1], a2 = base + positionOffsets[p + 2];
        int a3 = base + positionOffsets[p + 3], a4 = base + positionOffsets[p + 4], a5 = base + positionOffsets[p + 5];
        FloatVector c00 = FloatVector.fromArray(S, dx, a0), c01 = FloatVector.fromArray(S, dx, a1), c02 = FloatVector.fromArray(S, dx, a2);
        FloatVector c03 = FloatVector.fromArray(S, dx, a3), c04 = FloatVector.fromArray(S, dx, a4), c05 = FloatVector.fromArray(S, dx, a5);
        FloatVector c10 = FloatVector.fromArray(S, dx, a0 + plane), c11 = FloatVector.fromArray(S, dx, a1 + plane);
        FloatVector c12 = FloatVector.fromArray(S, dx, a2 + plane), c13 = FloatVector.fromArray(S, dx, a3 + plane);
        FloatVector c14 = FloatVector.fromArray(S, dx, a4 + plane), c15 = FloatVector.fromArray(S, dx, a5 + plane);
        FloatVector c20 = FloatVector.fromArray(S, dx, a0 + 2 * plane), c21 = FloatVector.fromArray(S, dx, a1 + 2 * plane);
        FloatVector c22 = FloatVector.fromArray(S, dx, a2 + 2 * plane), c23 = FloatVector.fromArray(S, dx, a3 + 2 * plane);
        FloatVector c24 = FloatVector.fromArray(S, dx, a4 + 2 * plane), c25 = FloatVector.fromArray(S, dx, a5 + 2 * plane);
        FloatVector c30 = FloatVector.fromArray(S, dx, a0 + 3 * plane), c31 = FloatVector.fromArray(S, dx, a1 + 3 * plane);
        FloatVector c32 = FloatVector.fromArray(S, dx, a2 + 3 * plane), c33 = FloatVector.fromArray(S, dx, a3 + 3 * plane);
        FloatVector c34 = FloatVector.fromArray(S, dx, a4 + 3 * plane), c35 = FloatVector.fromArray(S, dx, a5 + 3 * plane);
        int w = packedOff + ((a * inputBlocks + cb) * g.co() + o0) * BLOCK;
        int d = dyOff + o0 * next;
        for (int o = o0; o < o1; o++, w += BLOCK, d += next) {
            FloatVector w0 = FloatVector.broadcast(S, packed[w]);
            FloatVector w1 = FloatVector.broadcast(S, packed[w + 1]);
            FloatVector w2 = FloatVector.broadcast(S, packed[w + 2]);
            FloatVector w3 = FloatVector.broadcast(S, packed[w + 3]);
            FloatVector v = FloatVector.fromArray(S, dy, d);
            c00 = v.fma(w0, c00); c10 = v.fma(w1, c10); c20 = v.fma(w2, c20); c30 = v.fma(w3, c30);
            v = FloatVector.fromArray(S, dy, d + L);
            c01 = v.fma(w0, c01); c11 = v.fma(w1, c11); c21 = v.fma(w2, c21); c31 = v.fma(w3, c31);
            v = FloatVector.fromArray(S, dy, d + 2 * L);
            c02 = v.fma(w0, c02); c12 = v.fma(w1, c12); c22 = v.fma(w2, c22); c32 = v.fma(w3, c32);
            v = FloatVector.fromArray(S, dy, d + 3 * L);
            c03 = v.fma(w0, c03); c13 = v.fma(w1, c13); c23 = v.fma(w2, c23); c33 = v.fma(w3, c33);
            v = FloatVector.fromArray(S, dy, d + 4 * L);
            c04 = v.fma(w0, c04); c14 = v.fma(w1, c14); c24 = v.fma(w2, c24); c34 = v.fma(w3, c34);
            v = FloatVector.fromArray(S, dy, d + 5 * L);
            c05 = v.fma(w0, c05); c15 = v.fma(w1, c15); c25 = v.fma(w2, c25); c35 = v.fma(w3, c35);
        }
        c00.intoArray(dx, a0); c01.intoArray(dx, a1); c02.intoArray(dx, a2); c03.intoArray(dx, a3); c04.intoArray(dx, a4); c05.intoArray(dx, a5);
        c10.intoArray(dx, a0 + plane); c11.intoArray(dx, a1 + plane); c12.intoArray(dx, a2 + plane);
        c13.intoArray(dx, a3 + plane); c14.intoArray(dx, a4 + plane); c15.intoArray(dx, a5 + plane);
        c20.intoArray(dx, a0 + 2 * plane); c21.intoArray(dx, a1 + 2 * plane); c22.intoArray(dx, a2 + 2 * plane);
        c23.intoArray(dx, a3 + 2 * plane); c24.intoArray(dx, a4 + 2 * plane); c25.intoArray(dx, a5 + 2 * plane);
        c30.intoArray(dx, a0 + 3 * plane); c31.intoArray(dx, a1 + 3 * plane); c32.intoArray(dx, a2 + 3 * plane);
        c33.intoArray(dx, a3 + 3 * plane); c34.intoArray(dx, a4 + 3 * plane); c35.intoArray(dx, a5 + 3 * plane);
    }

    private void dataGradient4x1(float[] dy, int d, float[] packed, int packedOff, int cb, int a, float[] dx, int at) {
        int plane = ph * pw * L;
        FloatVector c0 = FloatVector.fromArray(S, dx, at);
        FloatVector c1 = FloatVector.fromArray(S, dx, at + plane);
        FloatVector c2 = FloatVector.fromArray(S, dx, at + 2 * plane);
        FloatVector c3 = FloatVector.fromArray(S, dx, at + 3 * plane);
        int w = packedOff + (a * inputBlocks + cb) * g.co() * BLOCK;
        int next = positions * L;
        for (int o = 0; o < g.co(); o++, w += BLOCK, d += next) {
            FloatVector v = FloatVector.fromArray(S, dy, d);
            c0 = v.fma(FloatVector.broadcast(S, packed[w]), c0);
            c1 = v.fma(FloatVector.broadcast(S, packed[w + 1]), c1);
            c2 = v.fma(FloatVector.broadcast(S, packed[w + 2]), c2);
            c3 = v.fma(FloatVector.broadcast(S, packed[w + 3]), c3);
        }
        c0.intoArray(dx, at);
        c1.intoArray(dx, at + plane);
        c2.intoArray(dx, at + 2 * plane);
        c3.intoArray(dx, at + 3 * plane);
    }
}
