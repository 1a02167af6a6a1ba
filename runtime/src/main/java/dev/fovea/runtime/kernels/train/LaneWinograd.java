package dev.fovea.runtime.kernels.train;

import static dev.fovea.runtime.kernels.train.Lanes.L;
import static dev.fovea.runtime.kernels.train.Lanes.S;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.ConvGeometry;
import dev.fovea.runtime.kernels.WinogradTransforms;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;

/**
 * A 3x3 convolution at stride 1 with padding 1 on samples in vector lanes ({@link Lanes}), by Winograd's
 * minimal filtering (Lavin and Gray, 2015): F(2x2, 3x3) takes each 2x2 block of outputs (a tile) from a 4x4
 * block of the padded input in 16 multiply-adds per channel pair instead of 36; F(4x4, 3x3) each 4x4 block
 * from a 6x6 one in 36 instead of 144 ({@link Tile}). The training session's forward pass and the data
 * gradient of such a layer (the flipped forward pass, {@link ConvInLanes}) run on it.
 * <pre>
 *   V[ξ][c][t]   = (Bᵀ d B)[ξ]            d: tile t's input block of channel c            per tile
 *   M[ξ][o][t]   = sum over c of U[ξ][o][c] V[ξ][c][t]      U = G w Gᵀ, packed per call  8 o x 3 t
 *   y[o][tile t] = Aᵀ M[.][o][t] A + bias[o]                                             per tile
 * </pre>
 * Every value is a vector of one float per sample, so each multiply-add is a whole vector, as in
 * {@link LaneConv}. Each task takes a part of a group's tiles, in chunks whose V (up to 1 MiB) it forms in
 * a thread's buffer, where it stays in L2 while every block of output channels multiplies it: per ξ, a
 * few blocks of U[ξ] (read once a chunk) each times the chunk, the products in a thread's buffer until the
 * output transform reads them. (Forming V once for all threads and reading it back from L3 was 25 to 40%
 * slower on every layer but 512 channels on 7x7 maps, where it was level.) The transforms are additions
 * and subtractions and G's halves are exact in float, so results differ from the direct sum by rounding
 * alone; each output is one task's, its sums in a fixed order, so the bits do not depend on the threads.
 */
final class LaneWinograd {
    /**
     * The size of a tile: F(4x4, 3x3) multiplies 2.25 times per output where F(2x2, 3x3) multiplies 4 times, at
     * the cost of larger transforms, more rounding (its G has sixths) and, on maps whose side is not a multiple
     * of 4, more of the products falling outside the map.
     */
    enum Tile {
        TWO(2, new float[][] {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}}),
        FOUR(4, new float[][] {{0.25f, 0, 0}, {-1f / 6, -1f / 6, -1f / 6}, {-1f / 6, 1f / 6, -1f / 6}, {1f / 24, 1f / 12, 1f / 6},
            {1f / 24, -1f / 12, 1f / 6}, {0, 0, 1}});

        /** Outputs along a tile's side, its input block's side, and the transformed positions ξ of a block. */
        final int outputs;
        final int side;
        final int points;
        /** basis[t][ξ] = G[i][ky] G[j][kx] for tap t = (ky, kx) and ξ = (i, j): U = G w Gᵀ is the sum over taps of w[t] basis[t]. */
        final float[] basis;
        /** For each ξ, the taps whose basis value is not zero, in order, and those values: U[ξ] = sum over them of w[tap] factor. */
        final int[][] taps;
        final float[][] factors;

        Tile(int outputs, float[][] gm) {
            this.outputs = outputs;
            this.side = outputs + 2;
            this.points = side * side;
            this.basis = new float[9 * points];
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                    for (int i = 0; i < side; i++) {
                        for (int j = 0; j < side; j++) {
                            basis[(ky * 3 + kx) * points + i * side + j] = gm[i][ky] * gm[j][kx];
                        }
                    }
                }
            }
            this.taps = new int[points][];
            this.factors = new float[points][];
            for (int xi = 0; xi < points; xi++) {
                int x = xi;
                taps[xi] = java.util.stream.IntStream.range(0, 9).filter(t -> basis[t * points + x] != 0).toArray();
                factors[xi] = new float[taps[xi].length];
                for (int j = 0; j < taps[xi].length; j++) {
                    factors[xi][j] = basis[taps[xi][j] * points + xi];
                }
            }
        }

        /**
         * The tile a layer of this geometry runs on, for {@code groups} groups of samples: F(4x4, 3x3) where its
         * products are at most three quarters of F(2x2, 3x3)'s (a 6x6 map's 4x4 tiles would cover 8x8 and multiply
         * as often as 2x2 ones), and where each element of its U, 2.25 times larger, multiplies at least 16 tiles'
         * vectors (ResNet-18's 7x7 maps at batch 16 have 4: 512 x 512 channels' U of 38 MB streamed for them ran
         * the forward pass in 17 ms against 12).
         */
        static Tile of(ConvGeometry g, int groups) {
            long four = FOUR.tiles(g);
            return 4 * FOUR.points * four <= 3 * TWO.points * TWO.tiles(g) && four * groups >= 16 ? FOUR : TWO;
        }

        /** Tiles this size covering g's output. */
        long tiles(ConvGeometry g) {
            return (long) ((g.oh() + outputs - 1) / outputs) * ((g.ow() + outputs - 1) / outputs);
        }
    }

    /** Transformed positions of the largest block. */
    static final int MOST_POINTS = Tile.FOUR.points;
    /** The register block: 8 output channels (broadcast weights) by 3 tiles (vectors of samples). */
    static final int BLOCK = 8;
    static final int RUN = 3;
    /** A thread's block of 8 output channels' weights, [tap][input channel][8], on their way to U. */
    private static final ThreadLocal<float[]> TAPS = ThreadLocal.withInitial(() -> new float[0]);
    /** Floats of a task's chunk of V (1 MiB, half of a 2 MiB L2), and parts of a group's tiles. */
    private static final int CHUNK_FLOATS = 256 * 1024;
    private static final int SLICES = 8;
    /**
     * U's floats beyond which a task multiplies 16 output blocks per ξ, not 4 (so that each chunk of V, read
     * from L2, serves more of U; 512 x 512 channels on 7x7 maps: 8.5 ms against 9.0 a group, 2 threads).
     */
    private static final long LARGE_U = 1 << 20;
    /** A thread's chunk of V, shared by every layer (each uses it within one task). */
    private static final ThreadLocal<float[]> TRANSFORMED = ThreadLocal.withInitial(() -> new float[0]);
    /** A thread's products, shared by every layer (each uses it within one task). */
    private static final ThreadLocal<float[]> PRODUCTS = ThreadLocal.withInitial(() -> new float[0]);
    /** A block of the map's last tiles: their input with zeros past the padded plane, or a row of outputs of which only some are stored. */
    private static final ThreadLocal<float[]> EDGE = ThreadLocal.withInitial(() -> new float[MOST_POINTS * L]);
    /** A block half transformed (F(4x4, 3x3)'s transforms go down the columns into it, then along the rows). */
    private static final ThreadLocal<float[]> HALF = ThreadLocal.withInitial(() -> new float[MOST_POINTS * L]);

    private final Tile tile;
    /** The tile's transformed positions. */
    private final int xis;

    private final ConvGeometry g;
    /** The padded input plane in lanes: its row pitch and rows; its top row and left column are the padding. */
    private final int ph;
    private final int pw;
    private final int blocksAcross;
    private final int tiles;
    private final int outputBlocks;
    /** Tiles per chunk of a task (a multiple of {@link #RUN}), parts of a group's tiles, and output blocks multiplied per ξ. */
    private final int chunk;
    private final int slices;
    private final int taskBlocks;
    private final IntConsumer task = this::slice;

    // The call's arguments, set before its tasks run: the task bodies read them.
    private float[] x;
    private int xOff;
    private float[] packed;
    private int packedAt;
    private float[] bias;
    private float[] y;
    private int yOff;

    /** Whether g is a convolution this kernel computes: a 3x3 window at stride 1, padding 1, no dilation or groups, output as large as input. */
    static boolean handles(ConvGeometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1 && g.pt() == 1 && g.pl() == 1 && g.dh() == 1 && g.dw() == 1
                && g.groups() == 1 && g.oh() == g.ih() && g.ow() == g.iw();
    }

    /** The layer g ({@link #handles}), reading its input padded to ph x pw in lanes, on {@code tile}s ({@link Tile#of}). */
    LaneWinograd(ConvGeometry g, int ph, int pw, Tile tile) {
        if (!handles(g) || ph != g.ih() + 2 || pw != g.iw() + 2) {
            throw new IllegalArgumentException(g + " on a " + ph + "x" + pw + " padded plane is not a Winograd layer");
        }
        this.g = g;
        this.ph = ph;
        this.pw = pw;
        this.tile = tile;
        this.xis = tile.points;
        this.blocksAcross = (g.ow() + tile.outputs - 1) / tile.outputs;
        this.tiles = (g.oh() + tile.outputs - 1) / tile.outputs * blocksAcross;
        this.outputBlocks = (g.co() + BLOCK - 1) / BLOCK;
        this.chunk = Math.max(1, CHUNK_FLOATS / (xis * g.ci() * L) / RUN) * RUN;
        this.slices = Math.max(1, Math.min(SLICES, (tiles + RUN - 1) / RUN));
        this.taskBlocks = Math.min(outputBlocks, (long) xis * g.ci() * g.co() > LARGE_U ? 16 : 4);
    }

    ConvGeometry geometry() {
        return g;
    }

    Tile tile() {
        return tile;
    }

    int tiles() {
        return tiles;
    }

    /** Tiles in a row of the map's blocks. */
    int blocksAcross() {
        return blocksAcross;
    }

    /** One channel plane of the padded input in lanes, in floats. */
    int planeFloats() {
        return ph * pw * L;
    }

    int outputBlocks() {
        return outputBlocks;
    }

    /** Floats {@link #pack} writes: U for every ξ, block of 8 output channels and input channel. */
    int packedFloats() {
        return xis * outputBlocks * BLOCK * g.ci();
    }

    /**
     * U = G w Gᵀ for the output channels of block {@code ob} (w co x ci x 3 x 3), as [ξ][block][c][8] from {@code at};
     * the channels past co zero. U is linear in w's 9 taps: the block's weights are laid out by tap, [tap][c][8],
     * and each ξ's plane is then a sum of the taps whose {@link Tile#basis} value is not zero, a vector at a time.
     */
    void pack(float[] weight, float[] packed, int at, int ob) {
        pack(weight, false, packed, at, ob);
    }

    /**
     * As {@link #pack}, or with {@code flipped} from the weights of the layer whose data gradient this one computes
     * (ci x co x 3 x 3: this layer's weight W'[o][c] is that layer's W[c][o] turned by 180 degrees), with no copy of them.
     */
    void pack(float[] weight, boolean flipped, float[] packed, int at, int ob) {
        int ci = g.ci();
        int n = ci * BLOCK;
        float[] taps = TAPS.get();
        if (taps.length < 9 * n) {
            taps = new float[9 * n]; // a thread's first block of this many input channels
            TAPS.set(taps);
        }
        // the block's weights as [tap][c][8], in the order of U's rows
        for (int i = 0; i < BLOCK; i++) {
            int o = ob * BLOCK + i;
            for (int c = 0; c < ci; c++) {
                int w = flipped ? (c * g.co() + o) * 9 + 8 : (o * ci + c) * 9;
                int step = flipped ? -1 : 1;
                for (int t = 0; t < 9; t++) {
                    taps[t * n + c * BLOCK + i] = o < g.co() ? weight[w + step * t] : 0;
                }
            }
        }
        int plane = outputBlocks * n;
        int to = at + ob * n;
        int whole = n / L * L;
        for (int xi = 0; xi < xis; xi++) {
            int[] from = tile.taps[xi];
            float[] factor = tile.factors[xi];
            for (int k = 0; k < whole; k += L) {
                FloatVector u = FloatVector.zero(S);
                for (int j = 0; j < from.length; j++) {
                    u = FloatVector.fromArray(S, taps, from[j] * n + k).fma(FloatVector.broadcast(S, factor[j]), u);
                }
                u.intoArray(packed, to + xi * plane + k);
            }
            for (int k = whole; k < n; k++) {
                float u = 0;
                for (int j = 0; j < from.length; j++) {
                    u = Math.fma(taps[from[j] * n + k], factor[j], u);
                }
                packed[to + xi * plane + k] = u;
            }
        }
    }

    /**
     * One group: x the padded input lanes at xOff (channel planes ph x pw x L), U as {@link #pack} left it at
     * {@code at}, y (channel planes of oh x ow x L) at yOff; bias may be null.
     */
    void forward(Workers workers, float[] x, int xOff, float[] packed, int at, float[] bias, float[] y, int yOff) {
        this.x = x;
        this.xOff = xOff;
        this.packed = packed;
        this.packedAt = at;
        this.bias = bias;
        this.y = y;
        this.yOff = yOff;
        workers.parallelFor(slices, task);
        this.x = this.packed = this.bias = this.y = null;
    }

    /** Task (part of the group's tiles): chunk by chunk, V into a thread's buffer, then the products and output transforms of every output block. */
    private void slice(int slice) {
        int runs = (tiles + RUN - 1) / RUN;
        int s0 = Math.min(tiles, slice * runs / slices * RUN);
        int s1 = Math.min(tiles, (slice + 1) * runs / slices * RUN);
        float[] v = TRANSFORMED.get();
        if (v.length < xis * g.ci() * chunk * L) {
            v = new float[xis * g.ci() * chunk * L]; // a thread's first chunk of this size
            TRANSFORMED.set(v);
        }
        for (int c0 = s0; c0 < s1; c0 += chunk) {
            int n = Math.min(chunk, s1 - c0);
            for (int c = 0; c < g.ci(); c++) {
                for (int t = 0; t < n; t++) {
                    transformInput(x, xOff + c * ph * pw * L, c0 + t, v, (c * chunk + t) * L, g.ci() * chunk * L);
                }
            }
            for (int ob0 = 0; ob0 < outputBlocks; ob0 += taskBlocks) {
                products(v, c0, n, ob0, Math.min(outputBlocks, ob0 + taskBlocks));
            }
        }
    }

    /**
     * Tiles [first, first + n) of the chunk in v ([ξ][c][chunk][L]) for output blocks [ob0, ob1): per ξ, the
     * products of each block and run of tiles into a thread's buffer; then the output transforms.
     */
    private void products(float[] v, int first, int n, int ob0, int ob1) {
        float[] m = PRODUCTS.get();
        if (m.length < xis * taskBlocks * BLOCK * chunk * L) {
            m = new float[xis * taskBlocks * BLOCK * chunk * L]; // a thread's first task of this size
            PRODUCTS.set(m);
        }
        int runs = n / RUN * RUN;
        int ci = g.ci();
        int step = chunk * L;
        for (int xi = 0; xi < xis; xi++) {
            int vPlane = xi * ci * chunk * L;
            for (int ob = ob0; ob < ob1; ob++) {
                int u = packedAt + (xi * outputBlocks + ob) * ci * BLOCK;
                int mo = ((xi * taskBlocks + ob - ob0) * BLOCK) * step;
                for (int t = 0; t < runs; t += RUN) {
                    multiply8x3(packed, u, v, vPlane + t * L, chunk * L, m, mo + t * L, step);
                }
                for (int t = runs; t < n; t++) {
                    multiply8x1(packed, u, v, vPlane + t * L, chunk * L, m, mo + t * L, step);
                }
            }
        }
        int xiPlane = taskBlocks * BLOCK * step;
        for (int o = ob0 * BLOCK; o < Math.min(g.co(), ob1 * BLOCK); o++) {
            for (int t = 0; t < n; t++) {
                if (tile == Tile.TWO) {
                    transformOutput(m, (o - ob0 * BLOCK) * step + t * L, xiPlane, o, first + t);
                } else {
                    transformOutput4x4(m, (o - ob0 * BLOCK) * step + t * L, xiPlane, o, first + t);
                }
            }
        }
    }

    /** m[i][t .. t+2] = sum over c of u[c][i] v[c][t .. t+2]: v's rows (channels) {@code vStep} apart, m's (outputs) {@code step}. */
    private void multiply8x3(float[] u, int uo, float[] v, int vo, int vStep, float[] m, int mo, int step) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
        FloatVector c60 = c00, c61 = c00, c62 = c00, c70 = c00, c71 = c00, c72 = c00;
        int end = uo + g.ci() * BLOCK;
        for (int w = uo; w < end; w += BLOCK, vo += vStep) {
            FloatVector v0 = FloatVector.fromArray(S, v, vo);
            FloatVector v1 = FloatVector.fromArray(S, v, vo + L);
            FloatVector v2 = FloatVector.fromArray(S, v, vo + 2 * L);
            FloatVector wi = FloatVector.broadcast(S, u[w]);
            c00 = v0.fma(wi, c00); c01 = v1.fma(wi, c01); c02 = v2.fma(wi, c02);
            wi = FloatVector.broadcast(S, u[w + 1]);
            c10 = v0.fma(wi, c10); c11 = v1.fma(wi, c11); c12 = v2.fma(wi, c12);
            wi = FloatVector.broadcast(S, u[w + 2]);
            c20 = v0.fma(wi, c20); c21 = v1.fma(wi, c21); c22 = v2.fma(wi, c22);
            wi = FloatVector.broadcast(S, u[w + 3]);
            c30 = v0.fma(wi, c30); c31 = v1.fma(wi, c31); c32 = v2.fma(wi, c32);
            wi = FloatVector.broadcast(S, u[w + 4]);
            c40 = v0.fma(wi, c40); c41 = v1.fma(wi, c41); c42 = v2.fma(wi, c42);
            wi = FloatVector.broadcast(S, u[w + 5]);
            c50 = v0.fma(wi, c50); c51 = v1.fma(wi, c51); c52 = v2.fma(wi, c52);
            wi = FloatVector.broadcast(S, u[w + 6]);
            c60 = v0.fma(wi, c60); c61 = v1.fma(wi, c61); c62 = v2.fma(wi, c62);
            wi = FloatVector.broadcast(S, u[w + 7]);
            c70 = v0.fma(wi, c70); c71 = v1.fma(wi, c71); c72 = v2.fma(wi, c72);
        }
        c00.intoArray(m, mo); c01.intoArray(m, mo + L); c02.intoArray(m, mo + 2 * L);
        c10.intoArray(m, mo + step); c11.intoArray(m, mo + step + L); c12.intoArray(m, mo + step + 2 * L);
        c20.intoArray(m, mo + 2 * step); c21.intoArray(m, mo + 2 * step + L); c22.intoArray(m, mo + 2 * step + 2 * L);
        c30.intoArray(m, mo + 3 * step); c31.intoArray(m, mo + 3 * step + L); c32.intoArray(m, mo + 3 * step + 2 * L);
        c40.intoArray(m, mo + 4 * step); c41.intoArray(m, mo + 4 * step + L); c42.intoArray(m, mo + 4 * step + 2 * L);
        c50.intoArray(m, mo + 5 * step); c51.intoArray(m, mo + 5 * step + L); c52.intoArray(m, mo + 5 * step + 2 * L);
        c60.intoArray(m, mo + 6 * step); c61.intoArray(m, mo + 6 * step + L); c62.intoArray(m, mo + 6 * step + 2 * L);
        c70.intoArray(m, mo + 7 * step); c71.intoArray(m, mo + 7 * step + L); c72.intoArray(m, mo + 7 * step + 2 * L);
    }

    /** One tile: the last of a task's tiles that is not a whole run. */
    private void multiply8x1(float[] u, int uo, float[] v, int vo, int vStep, float[] m, int mo, int step) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        int end = uo + g.ci() * BLOCK;
        for (int w = uo; w < end; w += BLOCK, vo += vStep) {
            FloatVector v0 = FloatVector.fromArray(S, v, vo);
            c0 = v0.fma(FloatVector.broadcast(S, u[w]), c0);
            c1 = v0.fma(FloatVector.broadcast(S, u[w + 1]), c1);
            c2 = v0.fma(FloatVector.broadcast(S, u[w + 2]), c2);
            c3 = v0.fma(FloatVector.broadcast(S, u[w + 3]), c3);
            c4 = v0.fma(FloatVector.broadcast(S, u[w + 4]), c4);
            c5 = v0.fma(FloatVector.broadcast(S, u[w + 5]), c5);
            c6 = v0.fma(FloatVector.broadcast(S, u[w + 6]), c6);
            c7 = v0.fma(FloatVector.broadcast(S, u[w + 7]), c7);
        }
        c0.intoArray(m, mo);
        c1.intoArray(m, mo + step);
        c2.intoArray(m, mo + 2 * step);
        c3.intoArray(m, mo + 3 * step);
        c4.intoArray(m, mo + 4 * step);
        c5.intoArray(m, mo + 5 * step);
        c6.intoArray(m, mo + 6 * step);
        c7.intoArray(m, mo + 7 * step);
    }

    /**
     * V = Bᵀ d B for tile {@code t} of the channel plane at {@code plane}, into v at {@code out} and the other
     * ξ {@code vPlane}s apart. Where the map's side is not a multiple of the tile's, the last tiles reach past
     * the padded plane: those read a copy of their block with zeros there.
     */
    void transformInput(float[] x, int plane, int t, float[] v, int out, int vPlane) {
        int side = tile.side;
        int y0 = t / blocksAcross * tile.outputs;
        int x0 = t % blocksAcross * tile.outputs;
        float[] d = x;
        int at = plane + (y0 * pw + x0) * L;
        int pitch = pw * L;
        if (y0 + side > ph || x0 + side > pw) {
            d = EDGE.get();
            java.util.Arrays.fill(d, 0, side * side * L, 0);
            for (int r = 0; r < side && y0 + r < ph; r++) {
                int columns = Math.min(side, pw - x0);
                System.arraycopy(x, plane + ((y0 + r) * pw + x0) * L, d, r * side * L, columns * L);
            }
            at = 0;
            pitch = side * L;
        }
        if (tile == Tile.TWO) {
            WinogradTransforms.input(d, at, pitch, L, v, out, vPlane);
        } else {
            WinogradTransforms.input4x4(d, at, pitch, L, HALF.get(), v, out, vPlane);
        }
    }

    /**
     * Y = Aᵀ M A + bias for output channel o and tile {@code tile}, whose 16 products lie f apart from
     * {@code at} in m; on a map of odd height or width the last tiles' second row or column is not stored.
     */
    private void transformOutput(float[] m, int at, int f, int o, int tile) {
        FloatVector m0 = FloatVector.fromArray(S, m, at), m1 = FloatVector.fromArray(S, m, at + f);
        FloatVector m2 = FloatVector.fromArray(S, m, at + 2 * f), m3 = FloatVector.fromArray(S, m, at + 3 * f);
        FloatVector m4 = FloatVector.fromArray(S, m, at + 4 * f), m5 = FloatVector.fromArray(S, m, at + 5 * f);
        FloatVector m6 = FloatVector.fromArray(S, m, at + 6 * f), m7 = FloatVector.fromArray(S, m, at + 7 * f);
        FloatVector m8 = FloatVector.fromArray(S, m, at + 8 * f), m9 = FloatVector.fromArray(S, m, at + 9 * f);
        FloatVector m10 = FloatVector.fromArray(S, m, at + 10 * f), m11 = FloatVector.fromArray(S, m, at + 11 * f);
        FloatVector m12 = FloatVector.fromArray(S, m, at + 12 * f), m13 = FloatVector.fromArray(S, m, at + 13 * f);
        FloatVector m14 = FloatVector.fromArray(S, m, at + 14 * f), m15 = FloatVector.fromArray(S, m, at + 15 * f);
        // Aᵀ M: rows 0 + 1 + 2 and 1 - 2 - 3, for each of the four columns; then · A along each row
        FloatVector s0 = m0.add(m4).add(m8), s1 = m1.add(m5).add(m9), s2 = m2.add(m6).add(m10), s3 = m3.add(m7).add(m11);
        FloatVector r0 = m4.sub(m8).sub(m12), r1 = m5.sub(m9).sub(m13), r2 = m6.sub(m10).sub(m14), r3 = m7.sub(m11).sub(m15);
        FloatVector b = FloatVector.broadcast(S, bias == null ? 0 : bias[o]);
        int oy = tile / blocksAcross * 2;
        int ox = tile % blocksAcross * 2;
        int row = g.ow() * L;
        int to = yOff + (o * g.positions() + oy * g.ow() + ox) * L;
        boolean right = ox + 1 < g.ow();
        boolean below = oy + 1 < g.oh();
        s0.add(s1).add(s2).add(b).intoArray(y, to);
        if (right) {
            s1.sub(s2).sub(s3).add(b).intoArray(y, to + L);
        }
        if (below) {
            r0.add(r1).add(r2).add(b).intoArray(y, to + row);
        }
        if (right && below) {
            r1.sub(r2).sub(r3).add(b).intoArray(y, to + row + L);
        }
    }

    /**
     * F(4x4, 3x3)'s Y = Aᵀ M A + bias for output channel o and tile {@code t}, whose 36 products lie f apart from
     * {@code at} in m: Aᵀ down each column into a thread's buffer (4 x 6), then along each row; outputs past
     * the map are not stored. Aᵀ's rows: (1 1 1 1 1 0), (0 1 -1 2 -2 0), (0 1 1 4 4 0), (0 1 -1 8 -8 1).
     */
    private void transformOutput4x4(float[] m, int at, int f, int o, int t) {
        float[] half = HALF.get();
        for (int j = 0; j < 6; j++) {
            WinogradTransforms.output4x4Column(m, at + j * f, 6 * f, half, j * L, 6 * L);
        }
        int oy = t / blocksAcross * 4;
        int ox = t % blocksAcross * 4;
        int rows = Math.min(4, g.oh() - oy);
        int columns = Math.min(4, g.ow() - ox);
        float b = bias == null ? 0 : bias[o];
        for (int i = 0; i < rows; i++) {
            int to = yOff + (o * g.positions() + (oy + i) * g.ow() + ox) * L;
            if (columns == 4) {
                outputRow(half, i * 6 * L, b, y, to);
            } else {
                float[] row = EDGE.get();
                outputRow(half, i * 6 * L, b, row, 0);
                System.arraycopy(row, 0, y, to, columns * L);
            }
        }
    }

    /** · A along the row of 6 vectors from {@code at} in half, plus b: 4 outputs into y from {@code to}, one vector apart. */
    private static void outputRow(float[] half, int at, float b, float[] y, int to) {
        FloatVector m0 = FloatVector.fromArray(S, half, at), m1 = FloatVector.fromArray(S, half, at + L);
        FloatVector m2 = FloatVector.fromArray(S, half, at + 2 * L), m3 = FloatVector.fromArray(S, half, at + 3 * L);
        FloatVector m4 = FloatVector.fromArray(S, half, at + 4 * L), m5 = FloatVector.fromArray(S, half, at + 5 * L);
        FloatVector bias = FloatVector.broadcast(S, b);
        FloatVector sum12 = m1.add(m2), diff12 = m1.sub(m2), sum34 = m3.add(m4), diff34 = m3.sub(m4);
        m0.add(sum12).add(sum34).add(bias).intoArray(y, to);
        diff34.fma(FloatVector.broadcast(S, 2f), diff12).add(bias).intoArray(y, to + L);
        sum34.fma(FloatVector.broadcast(S, 4f), sum12).add(bias).intoArray(y, to + 2 * L);
        diff34.fma(FloatVector.broadcast(S, 8f), diff12).add(m5).add(bias).intoArray(y, to + 3 * L);
    }
}
