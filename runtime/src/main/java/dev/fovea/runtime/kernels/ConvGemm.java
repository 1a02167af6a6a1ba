package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution as a matrix product, out[co, p] = W[co, k] x im2col(in)[k, p], per sample and group, with
 * a register-blocked Vector API kernel: 8 output channels by 2 vectors of output positions, 16
 * accumulators. Weights are packed once in 8-row panels. Each sample's im2col matrix is built once per
 * call into a shared workspace, its rows padded to whole tiles (a 1x1 stride-1 convolution reads its
 * input instead); each task copies its column panel out of it into contiguous scratch and runs it
 * against up to 8 row panels. The epilogue adds the bias, a residual and the activation on the way out.
 */
public final class ConvGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Rows of a register tile. */
    static final int MR = 8;
    /** Columns of a register tile: two vectors. */
    static final int NR = 2 * L;
    /** Row panels per task: enough to reuse each column panel from cache, few enough to share out. */
    private static final int PANELS_PER_TASK = 8;

    private final ConvGeometry g;
    private final float[] packedWeights;
    private final int rowPanels;
    private final int k;
    private final int columnBlocks;
    private final int rowChunks;
    /** Row stride of the im2col matrix: the positions rounded up to whole tiles. */
    private final int stride;
    private final boolean direct;
    /** Where each reduction step's row starts in a column panel: j * NR. */
    private final int[] panelRows;
    private final ThreadLocal<Scratch> scratch;

    // The arguments of the call in progress. The tasks below are made once and read them, so a call
    // allocates nothing; Workers publishes them to the other threads when it hands out the job.
    private float[] callIn;
    private float[] callOut;
    private float[] callWorkspace;
    private Epilogue callEpilogue;
    private int callInBase;
    private int callOutBase;
    private int callResidualBase;
    private final java.util.function.IntConsumer im2colTask;
    private final java.util.function.IntConsumer tileTask;

    /** A thread's tile of sums, and the contiguous copy of its column panel. */
    private static final class Scratch {
        final float[] tile = new float[MR * NR];
        final float[] panel;

        Scratch(int size) {
            panel = new float[size];
        }
    }

    /** Packs {@code weight} (co x ci/groups x kh x kw, PyTorch's layout) for the kernel. */
    public ConvGemm(ConvGeometry g, float[] weight) {
        this.g = g;
        this.k = g.k();
        int cog = g.outputChannelsPerGroup();
        this.rowPanels = (cog + MR - 1) / MR;
        this.packedWeights = pack(weight, g.groups(), cog, k, rowPanels);
        this.columnBlocks = (g.positions() + NR - 1) / NR;
        this.rowChunks = (rowPanels + PANELS_PER_TASK - 1) / PANELS_PER_TASK;
        this.stride = columnBlocks * NR;
        this.direct = g.isPointwise();
        this.panelRows = new int[k];
        for (int j = 0; j < k; j++) {
            panelRows[j] = j * NR;
        }
        int panelSize = k * NR;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(panelSize));
        int rows = g.groups() * k;
        this.im2colTask = t -> {
            for (int row = t * 16; row < Math.min(rows, t * 16 + 16); row++) {
                im2colRow(callIn, callInBase, callWorkspace, row);
            }
        };
        this.tileTask = t -> {
            int column = t % columnBlocks;
            int rest = t / columnBlocks;
            tile(callIn, callInBase, callWorkspace, callOut, callOutBase, callResidualBase, rest / rowChunks, rest % rowChunks, column,
                    callEpilogue);
        };
    }

    /** Weight rows padded to whole panels of MR, each panel stored k-major: [group][panel][k][MR]. */
    private static float[] pack(float[] weight, int groups, int cog, int k, int rowPanels) {
        float[] packed = new float[groups * rowPanels * k * MR];
        for (int gr = 0; gr < groups; gr++) {
            for (int o = 0; o < cog; o++) {
                int panelBase = (gr * rowPanels + o / MR) * k * MR;
                for (int j = 0; j < k; j++) {
                    packed[panelBase + j * MR + o % MR] = weight[(gr * cog + o) * k + j];
                }
            }
        }
        return packed;
    }

    /** Floats of workspace one call needs: one sample's im2col matrix, all groups. */
    public int workspaceSize() {
        return direct ? 0 : g.groups() * k * stride;
    }

    /**
     * Convolves samples [0, n) of {@code in} into {@code out}, sharing the work among the workers;
     * {@code workspace} holds at least {@link #workspaceSize()} floats.
     */
    public void run(Workers workers, float[] in, int inOffset, float[] out, int outOffset, int n, Epilogue e, float[] workspace) {
        int rows = g.groups() * k;
        int tiles = g.groups() * rowChunks * columnBlocks;
        callIn = in;
        callOut = out;
        callWorkspace = workspace;
        callEpilogue = e;
        for (int sample = 0; sample < n; sample++) {
            callInBase = inOffset + sample * g.inputSize();
            callOutBase = outOffset + sample * g.outputSize();
            callResidualBase = sample * g.outputSize();
            if (!direct) {
                workers.parallelFor((rows + 15) / 16, im2colTask);
            }
            workers.parallelFor(tiles, tileTask);
        }
    }

    /** Row {@code row} = (group, channel, ky, kx) of the im2col matrix: that input pixel for every output position. */
    private void im2colRow(float[] in, int inBase, float[] b, int row) {
        int kx = row % g.kw();
        int ky = (row / g.kw()) % g.kh();
        int channel = row / (g.kw() * g.kh()); // channels of all groups in order
        int ih = g.ih();
        int iw = g.iw();
        int ow = g.ow();
        int plane = inBase + channel * ih * iw;
        int dst = row * stride;
        int dx = kx * g.dw() - g.pl();
        for (int oy = 0; oy < g.oh(); oy++, dst += ow) {
            int y = oy * g.sh() - g.pt() + ky * g.dh();
            if (y < 0 || y >= ih) {
                java.util.Arrays.fill(b, dst, dst + ow, 0f);
                continue;
            }
            int src = plane + y * iw;
            if (g.sw() == 1) {
                // x = ox + dx: a contiguous run, zeros where it leaves the input
                int first = Math.max(0, -dx);
                int last = Math.min(ow, iw - dx);
                if (last <= first) {
                    java.util.Arrays.fill(b, dst, dst + ow, 0f);
                    continue;
                }
                java.util.Arrays.fill(b, dst, dst + first, 0f);
                System.arraycopy(in, src + first + dx, b, dst + first, last - first);
                java.util.Arrays.fill(b, dst + last, dst + ow, 0f);
            } else {
                for (int ox = 0; ox < ow; ox++) {
                    int x = ox * g.sw() + dx;
                    b[dst + ox] = x >= 0 && x < iw ? in[src + x] : 0f;
                }
            }
        }
        java.util.Arrays.fill(b, row * stride + g.positions(), (row + 1) * stride, 0f);
    }

    private void tile(float[] in, int inBase, float[] workspace, float[] out, int outBase, int residualBase, int group, int chunk,
            int column, Epilogue e) {
        Scratch s = scratch.get();
        int col0 = column * NR;
        int positions = g.positions();
        int valid = Math.min(NR, positions - col0);
        // Copy the column panel, k rows of NR, into contiguous scratch: read in place at a row stride of
        // thousands of floats, every k would touch another page and the kernel would wait on the TLB.
        float[] b = s.panel;
        float[] src = direct ? in : workspace;
        int srcBase = direct ? inBase + group * k * positions + col0 : group * k * stride + col0;
        int srcStride = direct ? positions : stride;
        if (valid == NR) {
            for (int j = 0; j < k; j++) {
                System.arraycopy(src, srcBase + j * srcStride, b, j * NR, NR);
            }
        } else {
            for (int j = 0; j < k; j++) {
                System.arraycopy(src, srcBase + j * srcStride, b, j * NR, valid);
                java.util.Arrays.fill(b, j * NR + valid, j * NR + NR, 0f);
            }
        }
        int cog = g.outputChannelsPerGroup();
        int lastPanel = Math.min(rowPanels, (chunk + 1) * PANELS_PER_TASK);
        for (int p = chunk * PANELS_PER_TASK; p < lastPanel; p++) {
            int row0 = p * MR;
            int rows = Math.min(MR, cog - row0);
            int channel0 = group * cog + row0;
            microKernel(packedWeights, (group * rowPanels + p) * k * MR, b, 0, panelRows, s.tile);
            epilogue(s.tile, rows, valid, out, outBase + channel0 * positions + col0, positions, channel0, e,
                    residualBase + channel0 * positions + col0);
        }
    }

    /**
     * One MR x NR tile of sums into {@code tile} (row-major, MR x NR), over {@code rows.length} steps of
     * the reduction: step j reads NR values of {@code b} at {@code bBase + rows[j]} (a contiguous panel
     * for the GEMM, a tap of the padded input for {@link DirectConv}). The accumulators stay in registers
     * and leave through {@code intoArray}: a vector passed to a method the JIT does not inline would be
     * boxed on the heap.
     */
    static void microKernel(float[] a, int aBase, float[] b, int bBase, int[] rows, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int j = 0; j < rows.length; j++) {
            int bi = bBase + rows[j];
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            int ai = aBase + j * MR;
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
    }

    /**
     * Rows [0, rows) and columns [0, valid) of a tile through the epilogue into {@code out} (row stride
     * {@code ld}); {@code residualBase} indexes the residual tensor at the tile's first element.
     */
    static void epilogue(float[] tile, int rows, int valid, float[] out, int outBase, int ld, int channel0, Epilogue e,
            int residualBase) {
        boolean cheap = VectorActivations.isCheap(e.activation());
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < valid; c += L) {
                storeVector(tile, r * NR + c, out, outBase + r * ld + c, Math.min(L, valid - c), channel0 + r, e,
                        residualBase + r * ld + c);
            }
            if (!cheap) {
                VectorActivations.apply(out, outBase + r * ld, outBase + r * ld + valid, e.activation(), e.slope());
            }
        }
    }

    private static void storeVector(float[] tile, int from, float[] out, int at, int count, int channel, Epilogue e, int residualAt) {
        VectorMask<Float> m = count >= L ? S.maskAll(true) : S.indexInRange(0, count);
        FloatVector v = FloatVector.fromArray(S, tile, from);
        if (e.bias() != null) {
            v = v.add(e.bias()[channel]);
        }
        if (e.residual() != null) {
            v = v.add(FloatVector.fromArray(S, e.residual(), residualAt, m));
        }
        if (e.accumulate()) {
            v = v.add(FloatVector.fromArray(S, out, at, m));
        }
        VectorActivations.cheap(v, e.activation(), e.slope()).intoArray(out, at, m);
    }
}
