package dev.fovea.runtime.kernels.train;

import static dev.fovea.runtime.kernels.train.LaneWinograd.MOST_POINTS;
import static dev.fovea.runtime.kernels.train.Lanes.L;
import static dev.fovea.runtime.kernels.train.Lanes.S;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.ConvGeometry;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;

/**
 * The weight gradient of a {@link LaneWinograd} layer, through the same transforms: the forward pass is
 * y = Aᵀ (Σ_c U[c] ⊙ V[c]) A per tile, so the gradient of U is a sum over tiles and samples of products of
 * V with Z = A dy Aᵀ (the output gradient's block taken back to the input block's size), and dW = Gᵀ dU G.
 * <pre>
 *   Vᵀ[ξ][n][c]  = (Bᵀ d B)[ξ] of input channel c, n = (tile, sample)           per tile, 16 x 16 transposes
 *   Z[ξ][o][n]   = (A dy Aᵀ)[ξ] of output channel o                              per tile
 *   dU[ξ][o][c] += sum over n of Z[ξ][o][n] Vᵀ[ξ][n][c]                          8 o x 3 vectors of c
 *   dW[o][c]    += Gᵀ dU[.][o][c] G = sum over ξ of dU[ξ][o][c] basis[.][ξ]        vectors of c
 * </pre>
 * The products are a matrix product per ξ over n, samples included, with the input channels in the vectors:
 * no sums per lane to add up afterwards. Two ways to share the work, both in a fixed order, so the bits
 * do not depend on the number of threads: with a small dU (up to 128 x 256 channels), each of 8 fixed
 * parts of all the groups' tiles transforms its own chunks (in L2) and sums into its own dU, the parts
 * added in order at the end; with a large one, a group's tiles go in jobs (Vᵀ and Z within
 * {@link #JOB_FLOATS}) that all threads transform, and then one task per ξ adds the job's products into
 * dU, the groups and jobs one after the other. Channels are rounded up (input to whole vectors, output
 * to blocks of 8); the extra ones are zero.
 */
final class LaneWinogradGradient {
    private static final int BLOCK = 8;
    private static final int RUN = 3;
    /** Floats of one job's Vᵀ and Z where the threads share them (8 MiB), and of a task's own (1 MiB, in L2). */
    private static final int JOB_FLOATS = 2 << 20;
    private static final int OWN_FLOATS = 256 * 1024;
    /** dU's floats (ξ K C) up to which each task transforms its own tiles and keeps its own dU; parts of the tiles then. */
    private static final long OWN_MOST_U = 512 * 1024;
    private static final int SLICES = 8;
    /** A thread's transformed block of L input channels, [ξ][channel][lane], before its transposes. */
    private static final ThreadLocal<float[]> CHANNELS = ThreadLocal.withInitial(() -> new float[MOST_POINTS * L * L]);
    /** A thread's 9 taps of dW for L input channels, [tap][channel]. */
    private static final ThreadLocal<float[]> TAPS = ThreadLocal.withInitial(() -> new float[9 * L]);
    /** A thread's dU of L input channels for every ξ, the parts added. */
    private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[MOST_POINTS * L]);
    /** A thread's output gradient block taken down its columns (6 x 4 vectors), in F(4x4, 3x3). */
    private static final ThreadLocal<float[]> HALF = ThreadLocal.withInitial(() -> new float[6 * 4 * L]);
    /** A thread's own Vᵀ and Z, in {@link #own} mode. */
    private static final ThreadLocal<float[]> OWN = ThreadLocal.withInitial(() -> new float[0]);

    private final LaneWinograd forward;
    private final ConvGeometry g;
    /** The forward pass's tile and its transformed positions. */
    private final LaneWinograd.Tile tile;
    private final int xis;
    /** Input channels rounded up to whole vectors, output channels to blocks of 8. */
    private final int inputWidth;
    private final int outputRows;
    /**
     * Whether each task takes a part of all the groups' tiles, transforms them into its own buffers (in L2) and
     * sums into its own dU, the parts added in order at the end (small U: ResNet's 64 channels on 56x56 maps);
     * or all threads form a shared job of Vᵀ and Z that one task per ξ then multiplies (large U).
     */
    private final boolean own;
    private final int slices;
    /** Tiles of a job (shared) or of a chunk (own). */
    private final int jobTiles;
    private final IntConsumer transformTask = this::transform;
    private final IntConsumer productTask = this::products;
    private final IntConsumer sliceTask = this::slice;
    private final IntConsumer weightTask = this::weights;

    // The call's arguments, set before its tasks run: the task bodies read them.
    private float[] x;
    private int inputFloats;
    private float[] dy;
    private int outputFloats;
    private int groups;
    private float[] work;
    private float[] dw;
    private int group;
    private int job0;
    private int job1;

    /**
     * Whether the weight gradient of the layer {@code forward} computes is faster this way than direct: from
     * 32 x 32 channels on F(2x2, 3x3)'s tiles, from 16 x 16 on F(4x4, 3x3)'s. (The layer's whole weight
     * gradient with the moves into the lanes, 2 threads: at batch 16, ResNet-18's 64 channels on 56x56 maps
     * 18.2 to 18.8 ms direct, 13.5 to 14.3 in 2x2 tiles, 11.1 in 4x4 tiles; 512 on 7x7, 26 direct and 12 in 2x2
     * tiles. At batch 128, ResNet-20's 32 on 14x14, 3.4 direct and 2.9 in 2x2 tiles; 16 on 28x28, 3.6 direct,
     * 4.7 in 2x2 tiles and 3.4 to 3.6 in 4x4 tiles.)
     */
    static boolean pays(LaneWinograd forward) {
        ConvGeometry g = forward.geometry();
        int least = forward.tile() == LaneWinograd.Tile.FOUR ? 16 : 32;
        return (long) g.ci() * g.co() >= least * least;
    }

    /** The layer's weight gradient, each task with its own dU where one is small enough ({@link #OWN_MOST_U}). */
    LaneWinogradGradient(LaneWinograd forward) {
        this(forward, (long) forward.tile().points * roundUp(forward.geometry().co(), BLOCK) * roundUp(forward.geometry().ci(), L) <= OWN_MOST_U);
    }

    private static int roundUp(int channels, int multiple) {
        return (channels + multiple - 1) / multiple * multiple;
    }

    /** With the mode chosen: {@code own} parts of the tiles with their own dU, or shared jobs. */
    LaneWinogradGradient(LaneWinograd forward, boolean own) {
        this.forward = forward;
        this.g = forward.geometry();
        this.tile = forward.tile();
        this.xis = tile.points;
        this.inputWidth = roundUp(g.ci(), L);
        this.outputRows = roundUp(g.co(), BLOCK);
        int perTile = xis * L * (inputWidth + outputRows);
        this.own = own;
        this.slices = own ? SLICES : 1;
        this.jobTiles = Math.max(1, Math.min(forward.tiles(), (own ? OWN_FLOATS : JOB_FLOATS) / perTile));
    }

    /** Floats of scratch a call needs: dU (one per part of the tiles, in own mode), then a shared job's Vᵀ and Z. */
    int scratchFloats() {
        return slices * unitFloats() + (own ? 0 : jobFloats());
    }

    /** Floats of one dU. */
    private int unitFloats() {
        return xis * outputRows * inputWidth;
    }

    /** Floats of one job's (or chunk's) Vᵀ and Z. */
    private int jobFloats() {
        return xis * jobTiles * L * (inputWidth + outputRows);
    }

    /**
     * Adds into dw (co x ci x 3 x 3) the weight gradient over {@code groups} groups: their padded inputs in lanes
     * from 0, {@code inputFloats} apart, and output gradients in lanes (channel planes of oh x ow x L, at least
     * {@link #outputRows} channels, the extra ones zero) from 0, {@code outputFloats} apart; work holds
     * {@link #scratchFloats}.
     */
    void weightGradient(Workers workers, float[] x, int inputFloats, float[] dy, int outputFloats, int groups, float[] work, float[] dw) {
        this.x = x;
        this.inputFloats = inputFloats;
        this.dy = dy;
        this.outputFloats = outputFloats;
        this.groups = groups;
        this.work = work;
        this.dw = dw;
        if (own) {
            workers.parallelFor(slices, sliceTask);
        } else {
            for (group = 0; group < groups; group++) {
                for (job0 = 0; job0 < forward.tiles(); job0 += jobTiles) {
                    job1 = Math.min(forward.tiles(), job0 + jobTiles);
                    workers.parallelFor(inputWidth / L + outputRows, transformTask);
                    workers.parallelFor(xis, productTask);
                }
            }
        }
        workers.parallelFor(g.co(), weightTask);
        this.x = this.dy = this.work = this.dw = null;
    }

    /** Task, shared mode: a vector's worth of input channels into the job's Vᵀ, or one output channel into its Z. */
    private void transform(int task) {
        int blocks = inputWidth / L;
        int at = slices * unitFloats();
        int n = jobTiles * L;
        if (task < blocks) {
            inputBlock(task * L, group * inputFloats, job0, job1, work, at, n);
        } else {
            outputChannel(task - blocks, group * outputFloats, job0, job1, work, at + xis * n * inputWidth, n);
        }
    }

    /** Task ξ, shared mode: dU[ξ] += Z[ξ] Vᵀ[ξ] over the job. */
    private void products(int xi) {
        int at = slices * unitFloats();
        int n = jobTiles * L;
        products(xi, work, at, at + xis * n * inputWidth, n, (job1 - job0) * L, 0, group == 0 && job0 == 0);
    }

    /** Task, own mode: part {@code slice} of all the groups' tiles, chunk by chunk (within a group), into its own dU. */
    private void slice(int slice) {
        int tiles = forward.tiles();
        long total = (long) groups * tiles;
        int from = (int) (slice * total / slices);
        int to = (int) ((slice + 1) * total / slices);
        int n = jobTiles * L;
        float[] mine = OWN.get();
        if (mine.length < jobFloats()) {
            mine = new float[jobFloats()]; // a thread's first chunk of this size
            OWN.set(mine);
        }
        int zAt = xis * n * inputWidth;
        int unit = slice * unitFloats();
        if (from == to) {
            java.util.Arrays.fill(work, unit, unit + unitFloats(), 0);
        }
        for (int item = from; item < to; ) {
            int grp = item / tiles;
            int t0 = item % tiles;
            int t1 = Math.min(Math.min(tiles, t0 + jobTiles), t0 + to - item);
            for (int c0 = 0; c0 < inputWidth; c0 += L) {
                inputBlock(c0, grp * inputFloats, t0, t1, mine, 0, n);
            }
            for (int o = 0; o < outputRows; o++) {
                outputChannel(o, grp * outputFloats, t0, t1, mine, zAt, n);
            }
            for (int xi = 0; xi < xis; xi++) {
                products(xi, mine, 0, zAt, n, (t1 - t0) * L, unit, item == from);
            }
            item += t1 - t0;
        }
    }

    /**
     * Vᵀ[ξ][n][c0 .. c0 + L) of tiles [t0, t1) of the group whose input lanes start at xOff, into vt from {@code at}
     * (rows n, {@code stride} per ξ): each channel transformed in lanes, then each ξ transposed to samples by channels.
     */
    private void inputBlock(int c0, int xOff, int t0, int t1, float[] vt, int at, int stride) {
        float[] block = CHANNELS.get();
        for (int t = t0; t < t1; t++) {
            for (int c = 0; c < L; c++) {
                if (c0 + c < g.ci()) {
                    forward.transformInput(x, xOff + (c0 + c) * forward.planeFloats(), t, block, c * L, L * L);
                } else {
                    for (int xi = 0; xi < xis; xi++) {
                        java.util.Arrays.fill(block, xi * L * L + c * L, xi * L * L + (c + 1) * L, 0);
                    }
                }
            }
            for (int xi = 0; xi < xis; xi++) {
                Lanes.transpose(block, xi * L * L, L, L, L, vt, at + (xi * stride + (t - t0) * L) * inputWidth + c0, inputWidth, false);
            }
        }
    }

    /**
     * Z[ξ][o][n] = (A dy Aᵀ)[ξ] for tiles [t0, t1) of the group whose output gradient starts at dyOff, into z from
     * {@code at} (rows of {@code stride}): rows 0, 0 + 1, 0 - 1, -1 of the 2x2 block, down and then across.
     */
    private void outputChannel(int o, int dyOff, int t0, int t1, float[] z, int at, int stride) {
        if (tile == LaneWinograd.Tile.FOUR) {
            outputChannel4x4(o, dyOff, t0, t1, z, at, stride);
            return;
        }
        int ow = g.ow();
        int plane = dyOff + o * g.positions() * L;
        int zPlane = outputRows * stride;
        for (int t = t0; t < t1; t++) {
            int oy = t / forward.blocksAcross() * 2;
            int ox = t % forward.blocksAcross() * 2;
            int from = plane + (oy * ow + ox) * L;
            boolean right = ox + 1 < ow;
            boolean below = oy + 1 < g.oh();
            // an odd map's last blocks reach past it: no gradient there
            FloatVector d00 = FloatVector.fromArray(S, dy, from);
            FloatVector d01 = right ? FloatVector.fromArray(S, dy, from + L) : FloatVector.zero(S);
            FloatVector d10 = below ? FloatVector.fromArray(S, dy, from + ow * L) : FloatVector.zero(S);
            FloatVector d11 = right && below ? FloatVector.fromArray(S, dy, from + ow * L + L) : FloatVector.zero(S);
            FloatVector p00 = d00, p01 = d01;
            FloatVector p10 = d00.add(d10), p11 = d01.add(d11);
            FloatVector p20 = d00.sub(d10), p21 = d01.sub(d11);
            FloatVector p30 = d10.neg(), p31 = d11.neg();
            int to = at + o * stride + (t - t0) * L;
            p00.intoArray(z, to);
            p00.add(p01).intoArray(z, to + zPlane);
            p00.sub(p01).intoArray(z, to + 2 * zPlane);
            p01.neg().intoArray(z, to + 3 * zPlane);
            p10.intoArray(z, to + 4 * zPlane);
            p10.add(p11).intoArray(z, to + 5 * zPlane);
            p10.sub(p11).intoArray(z, to + 6 * zPlane);
            p11.neg().intoArray(z, to + 7 * zPlane);
            p20.intoArray(z, to + 8 * zPlane);
            p20.add(p21).intoArray(z, to + 9 * zPlane);
            p20.sub(p21).intoArray(z, to + 10 * zPlane);
            p21.neg().intoArray(z, to + 11 * zPlane);
            p30.intoArray(z, to + 12 * zPlane);
            p30.add(p31).intoArray(z, to + 13 * zPlane);
            p30.sub(p31).intoArray(z, to + 14 * zPlane);
            p31.neg().intoArray(z, to + 15 * zPlane);
        }
    }

    /**
     * F(4x4, 3x3)'s Z = A dy Aᵀ for tiles [t0, t1), as {@link #outputChannel}: A's rows (1 0 0 0), (1 1 1 1),
     * (1 -1 1 -1), (1 2 4 8), (1 -2 4 -8), (0 0 0 1), down each of the block's 4 columns into a thread's buffer,
     * then across each of the 6 rows; rows and columns past the map read as zero.
     */
    private void outputChannel4x4(int o, int dyOff, int t0, int t1, float[] z, int at, int stride) {
        float[] half = HALF.get();
        int ow = g.ow();
        int plane = dyOff + o * g.positions() * L;
        int zPlane = outputRows * stride;
        for (int t = t0; t < t1; t++) {
            int oy = t / forward.blocksAcross() * 4;
            int ox = t % forward.blocksAcross() * 4;
            int rows = Math.min(4, g.oh() - oy);
            int columns = Math.min(4, ow - ox);
            int from = plane + (oy * ow + ox) * L;
            for (int j = 0; j < 4; j++) {
                if (j < columns) {
                    gradientColumn(dy, from + j * L, ow * L, rows, half, j * L, 4 * L);
                } else {
                    for (int i = 0; i < 6; i++) {
                        java.util.Arrays.fill(half, (i * 4 + j) * L, (i * 4 + j + 1) * L, 0);
                    }
                }
            }
            int to = at + o * stride + (t - t0) * L;
            for (int i = 0; i < 6; i++) {
                gradientColumn(half, i * 4 * L, L, 4, z, to + i * 6 * zPlane, zPlane);
            }
        }
    }

    /** A times the first {@code count} of 4 vectors of d from {@code at}, {@code step} apart (the rest zero): 6 vectors into to from {@code into}, {@code toStep} apart. */
    private static void gradientColumn(float[] d, int at, int step, int count, float[] to, int into, int toStep) {
        FloatVector d0 = FloatVector.fromArray(S, d, at);
        FloatVector d1 = count > 1 ? FloatVector.fromArray(S, d, at + step) : FloatVector.zero(S);
        FloatVector d2 = count > 2 ? FloatVector.fromArray(S, d, at + 2 * step) : FloatVector.zero(S);
        FloatVector d3 = count > 3 ? FloatVector.fromArray(S, d, at + 3 * step) : FloatVector.zero(S);
        FloatVector even = d0.add(d2), odd = d1.add(d3);
        FloatVector even4 = d2.fma(FloatVector.broadcast(S, 4f), d0), odd8 = d3.fma(FloatVector.broadcast(S, 4f), d1).mul(2f);
        d0.intoArray(to, into);
        even.add(odd).intoArray(to, into + toStep);
        even.sub(odd).intoArray(to, into + 2 * toStep);
        even4.add(odd8).intoArray(to, into + 3 * toStep);
        even4.sub(odd8).intoArray(to, into + 4 * toStep);
        d3.intoArray(to, into + 5 * toStep);
    }

    /**
     * dU[ξ] (in work from {@code unit}) += Z[ξ] Vᵀ[ξ] over n (rows {@code stride} per ξ of Vᵀ and of Z, in a from
     * vtAt and zAt), in blocks of 8 output channels by 3 vectors of input channels; {@code first}: dU starts at zero.
     */
    private void products(int xi, float[] a, int vtAt, int zAt, int stride, int n, int unit, boolean first) {
        int vectors = inputWidth / L;
        int runs = vectors / RUN * RUN;
        int v = vtAt + xi * stride * inputWidth;
        for (int o = 0; o < outputRows; o += BLOCK) {
            int z = zAt + (xi * outputRows + o) * stride;
            int u = unit + (xi * outputRows + o) * inputWidth;
            for (int c = 0; c < runs * L; c += RUN * L) {
                products8x3(a, z, stride, v + c, n, u + c, first);
            }
            for (int c = runs * L; c < inputWidth; c += L) {
                products8x1(a, z, stride, v + c, n, u + c, first);
            }
        }
    }

    /** dU[8 rows from u][3 vectors] += sum over n of Z[8 rows from z, {@code stride} apart][n] Vᵀ[n][3 vectors from v]. */
    private void products8x3(float[] a, int z, int stride, int v, int n, int u, boolean first) {
        float[] d = work;
        int w = inputWidth;
        FloatVector c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
        FloatVector c40, c41, c42, c50, c51, c52, c60, c61, c62, c70, c71, c72;
        if (first) {
            c00 = FloatVector.zero(S);
            c01 = c00; c02 = c00; c10 = c00; c11 = c00; c12 = c00; c20 = c00; c21 = c00; c22 = c00; c30 = c00; c31 = c00; c32 = c00;
            c40 = c00; c41 = c00; c42 = c00; c50 = c00; c51 = c00; c52 = c00; c60 = c00; c61 = c00; c62 = c00; c70 = c00; c71 = c00; c72 = c00;
        } else {
            c00 = FloatVector.fromArray(S, d, u); c01 = FloatVector.fromArray(S, d, u + L); c02 = FloatVector.fromArray(S, d, u + 2 * L);
            c10 = FloatVector.fromArray(S, d, u + w); c11 = FloatVector.fromArray(S, d, u + w + L); c12 = FloatVector.fromArray(S, d, u + w + 2 * L);
            c20 = FloatVector.fromArray(S, d, u + 2 * w); c21 = FloatVector.fromArray(S, d, u + 2 * w + L); c22 = FloatVector.fromArray(S, d, u + 2 * w + 2 * L);
            c30 = FloatVector.fromArray(S, d, u + 3 * w); c31 = FloatVector.fromArray(S, d, u + 3 * w + L); c32 = FloatVector.fromArray(S, d, u + 3 * w + 2 * L);
            c40 = FloatVector.fromArray(S, d, u + 4 * w); c41 = FloatVector.fromArray(S, d, u + 4 * w + L); c42 = FloatVector.fromArray(S, d, u + 4 * w + 2 * L);
            c50 = FloatVector.fromArray(S, d, u + 5 * w); c51 = FloatVector.fromArray(S, d, u + 5 * w + L); c52 = FloatVector.fromArray(S, d, u + 5 * w + 2 * L);
            c60 = FloatVector.fromArray(S, d, u + 6 * w); c61 = FloatVector.fromArray(S, d, u + 6 * w + L); c62 = FloatVector.fromArray(S, d, u + 6 * w + 2 * L);
            c70 = FloatVector.fromArray(S, d, u + 7 * w); c71 = FloatVector.fromArray(S, d, u + 7 * w + L); c72 = FloatVector.fromArray(S, d, u + 7 * w + 2 * L);
        }
        for (int i = 0; i < n; i++, v += w) {
            FloatVector v0 = FloatVector.fromArray(S, a, v);
            FloatVector v1 = FloatVector.fromArray(S, a, v + L);
            FloatVector v2 = FloatVector.fromArray(S, a, v + 2 * L);
            FloatVector zi = FloatVector.broadcast(S, a[z + i]);
            c00 = v0.fma(zi, c00); c01 = v1.fma(zi, c01); c02 = v2.fma(zi, c02);
            zi = FloatVector.broadcast(S, a[z + stride + i]);
            c10 = v0.fma(zi, c10); c11 = v1.fma(zi, c11); c12 = v2.fma(zi, c12);
            zi = FloatVector.broadcast(S, a[z + 2 * stride + i]);
            c20 = v0.fma(zi, c20); c21 = v1.fma(zi, c21); c22 = v2.fma(zi, c22);
            zi = FloatVector.broadcast(S, a[z + 3 * stride + i]);
            c30 = v0.fma(zi, c30); c31 = v1.fma(zi, c31); c32 = v2.fma(zi, c32);
            zi = FloatVector.broadcast(S, a[z + 4 * stride + i]);
            c40 = v0.fma(zi, c40); c41 = v1.fma(zi, c41); c42 = v2.fma(zi, c42);
            zi = FloatVector.broadcast(S, a[z + 5 * stride + i]);
            c50 = v0.fma(zi, c50); c51 = v1.fma(zi, c51); c52 = v2.fma(zi, c52);
            zi = FloatVector.broadcast(S, a[z + 6 * stride + i]);
            c60 = v0.fma(zi, c60); c61 = v1.fma(zi, c61); c62 = v2.fma(zi, c62);
            zi = FloatVector.broadcast(S, a[z + 7 * stride + i]);
            c70 = v0.fma(zi, c70); c71 = v1.fma(zi, c71); c72 = v2.fma(zi, c72);
        }
        c00.intoArray(d, u); c01.intoArray(d, u + L); c02.intoArray(d, u + 2 * L);
        c10.intoArray(d, u + w); c11.intoArray(d, u + w + L); c12.intoArray(d, u + w + 2 * L);
        c20.intoArray(d, u + 2 * w); c21.intoArray(d, u + 2 * w + L); c22.intoArray(d, u + 2 * w + 2 * L);
        c30.intoArray(d, u + 3 * w); c31.intoArray(d, u + 3 * w + L); c32.intoArray(d, u + 3 * w + 2 * L);
        c40.intoArray(d, u + 4 * w); c41.intoArray(d, u + 4 * w + L); c42.intoArray(d, u + 4 * w + 2 * L);
        c50.intoArray(d, u + 5 * w); c51.intoArray(d, u + 5 * w + L); c52.intoArray(d, u + 5 * w + 2 * L);
        c60.intoArray(d, u + 6 * w); c61.intoArray(d, u + 6 * w + L); c62.intoArray(d, u + 6 * w + 2 * L);
        c70.intoArray(d, u + 7 * w); c71.intoArray(d, u + 7 * w + L); c72.intoArray(d, u + 7 * w + 2 * L);
    }

    /** One vector of input channels: the last of a row that is not a whole run. */
    private void products8x1(float[] a, int z, int stride, int v, int n, int u, boolean first) {
        float[] d = work;
        int w = inputWidth;
        FloatVector c0, c1, c2, c3, c4, c5, c6, c7;
        if (first) {
            c0 = FloatVector.zero(S);
            c1 = c0; c2 = c0; c3 = c0; c4 = c0; c5 = c0; c6 = c0; c7 = c0;
        } else {
            c0 = FloatVector.fromArray(S, d, u); c1 = FloatVector.fromArray(S, d, u + w);
            c2 = FloatVector.fromArray(S, d, u + 2 * w); c3 = FloatVector.fromArray(S, d, u + 3 * w);
            c4 = FloatVector.fromArray(S, d, u + 4 * w); c5 = FloatVector.fromArray(S, d, u + 5 * w);
            c6 = FloatVector.fromArray(S, d, u + 6 * w); c7 = FloatVector.fromArray(S, d, u + 7 * w);
        }
        for (int i = 0; i < n; i++, v += w) {
            FloatVector v0 = FloatVector.fromArray(S, a, v);
            c0 = v0.fma(FloatVector.broadcast(S, a[z + i]), c0);
            c1 = v0.fma(FloatVector.broadcast(S, a[z + stride + i]), c1);
            c2 = v0.fma(FloatVector.broadcast(S, a[z + 2 * stride + i]), c2);
            c3 = v0.fma(FloatVector.broadcast(S, a[z + 3 * stride + i]), c3);
            c4 = v0.fma(FloatVector.broadcast(S, a[z + 4 * stride + i]), c4);
            c5 = v0.fma(FloatVector.broadcast(S, a[z + 5 * stride + i]), c5);
            c6 = v0.fma(FloatVector.broadcast(S, a[z + 6 * stride + i]), c6);
            c7 = v0.fma(FloatVector.broadcast(S, a[z + 7 * stride + i]), c7);
        }
        c0.intoArray(d, u); c1.intoArray(d, u + w);
        c2.intoArray(d, u + 2 * w); c3.intoArray(d, u + 3 * w);
        c4.intoArray(d, u + 4 * w); c5.intoArray(d, u + 5 * w);
        c6.intoArray(d, u + 6 * w); c7.intoArray(d, u + 7 * w);
    }

    /** Task o: dW[o][c][t] += sum over ξ of basis[t][ξ] dU[ξ][o][c] (the parts' dU added in order), L input channels at a time. */
    private void weights(int o) {
        float[] taps = TAPS.get();
        float[] sums = SUMS.get();
        int ci = g.ci();
        for (int c0 = 0; c0 < ci; c0 += L) {
            for (int xi = 0; xi < xis; xi++) {
                int at = (xi * outputRows + o) * inputWidth + c0;
                FloatVector u = FloatVector.fromArray(S, work, at);
                for (int s = 1; s < slices; s++) {
                    u = u.add(FloatVector.fromArray(S, work, s * unitFloats() + at));
                }
                u.intoArray(sums, xi * L);
            }
            for (int t = 0; t < 9; t++) {
                FloatVector sum = FloatVector.zero(S);
                for (int xi = 0; xi < xis; xi++) {
                    float b = tile.basis[t * tile.points + xi];
                    if (b != 0) {
                        sum = FloatVector.fromArray(S, sums, xi * L).fma(FloatVector.broadcast(S, b), sum);
                    }
                }
                sum.intoArray(taps, t * L);
            }
            int to = (o * ci + c0) * 9;
            for (int c = 0; c < Math.min(L, ci - c0); c++) {
                for (int t = 0; t < 9; t++) {
                    dw[to + c * 9 + t] += taps[t * L + c];
                }
            }
        }
    }
}
