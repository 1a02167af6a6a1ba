package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution as a matrix product, out[co, p] = W[co, k] x im2col(in)[k, p], per sample and group, with
 * a register-blocked Vector API kernel: 8 output channels by 2 vectors of output positions, 16
 * accumulators. Weights are packed once in 8-row panels. Each sample's im2col matrix is built once per
 * call into a shared workspace, already cut into the kernel's column panels (k rows of 32 positions,
 * contiguous).
 *
 * <p>A 1x1 stride-1 convolution whose weights fit in L2 skips im2col: each task copies one column panel of
 * the input into scratch and runs every row panel against it, so the input is read once. Otherwise a task
 * runs up to 64 output channels; when the weights do not fit in L2 it takes several column panels, so
 * that each weight panel is read from memory once per task rather than once per column panel. The
 * epilogue adds the bias, a residual and the activation on the way out.
 */
public final class ConvGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Rows of a register tile. */
    static final int MR = 8;
    /** Columns of a register tile: two vectors. */
    static final int NR = 2 * L;
    /** Row panels per task: enough to reuse each column panel from cache, few enough to share out. */
    static final int PANELS_PER_TASK = 8;
    /** Weights up to this size stay in L2 while a layer runs; larger ones are shared by several column panels per task. */
    private static final int WEIGHTS_IN_L2 = 256 * 1024;
    /** At most this many column panels per task. */
    private static final int MAX_COLUMNS_PER_TASK = 8;

    private final ConvGeometry g;
    private final float[] packedWeights;
    private final int rowPanels;
    private final int k;
    private final int columnBlocks;
    private final int columnsPerTask;
    private final int columnGroups;
    /** Row panels per task, and the number of such chunks per group. */
    private final int panelsPerTask;
    private final int rowChunks;
    /** Floats of one group's im2col matrix: k rows by the positions rounded up to whole panels. */
    private final int groupStride;
    /** A 1x1 stride-1 convolution reading its input, without im2col. */
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
    private final IntConsumer im2colTask;
    private final IntConsumer tileTask;

    /** A thread's tile of sums, its copy of a column panel, and one im2col row before it is cut into panels. */
    private static final class Scratch {
        final float[] tile = new float[MR * NR];
        final float[] panels;
        final float[] row;

        Scratch(int panels, int row) {
            this.panels = new float[panels];
            this.row = new float[row];
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
        boolean weightsFit = (long) packedWeights.length * Float.BYTES <= WEIGHTS_IN_L2;
        this.direct = g.isPointwise() && weightsFit;
        this.columnsPerTask = weightsFit ? 1 : Math.min(columnBlocks, MAX_COLUMNS_PER_TASK);
        this.columnGroups = (columnBlocks + columnsPerTask - 1) / columnsPerTask;
        this.panelsPerTask = direct ? rowPanels : PANELS_PER_TASK;
        this.rowChunks = (rowPanels + panelsPerTask - 1) / panelsPerTask;
        this.groupStride = columnBlocks * NR * k;
        this.panelRows = new int[k];
        for (int j = 0; j < k; j++) {
            panelRows[j] = j * NR;
        }
        int panels = direct ? k * NR : 0;
        int row = direct ? 0 : columnBlocks * NR;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(panels, row));
        int rows = g.groups() * k;
        this.im2colTask = t -> {
            float[] line = scratch.get().row;
            for (int r = t * 16; r < Math.min(rows, t * 16 + 16); r++) {
                im2colRow(callIn, callInBase, callWorkspace, r, line);
            }
        };
        this.tileTask = t -> {
            int columnGroup = t % columnGroups;
            int rest = t / columnGroups;
            int firstPanel = rest % rowChunks * panelsPerTask;
            task(rest / rowChunks, firstPanel, Math.min(rowPanels, firstPanel + panelsPerTask), columnGroup);
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
        return direct ? 0 : g.groups() * groupStride;
    }

    /**
     * Convolves samples [0, n) of {@code in} into {@code slice} of {@code out}, sharing the work among the workers;
     * {@code workspace} holds at least {@link #workspaceSize()} floats.
     */
    public void run(Workers workers, float[] in, int inOffset, float[] out, OutputSlice slice, int n, Epilogue e, float[] workspace) {
        int rows = g.groups() * k;
        int tasks = g.groups() * rowChunks * columnGroups;
        callIn = in;
        callOut = out;
        callWorkspace = workspace;
        callEpilogue = e;
        for (int sample = 0; sample < n; sample++) {
            callInBase = inOffset + sample * g.inputSize();
            callOutBase = slice.base(sample);
            callResidualBase = sample * g.outputSize();
            if (!direct) {
                workers.parallelFor((rows + 15) / 16, im2colTask);
            }
            workers.parallelFor(tasks, tileTask);
        }
    }

    /**
     * Row {@code row} = (group, channel, ky, kx) of the im2col matrix: that input pixel for every output
     * position, built in {@code line} and then cut into the column panels.
     */
    private void im2colRow(float[] in, int inBase, float[] b, int row, float[] line) {
        int kx = row % g.kw();
        int ky = (row / g.kw()) % g.kh();
        int channel = row / (g.kw() * g.kh()); // channels of all groups in order
        int ih = g.ih();
        int iw = g.iw();
        int ow = g.ow();
        int sw = g.sw();
        int plane = inBase + channel * ih * iw;
        int dx = kx * g.dw() - g.pl();
        // the output columns whose input column x = ox * sw + dx lies inside the input
        int first = Math.min(ow, Math.max(0, Math.ceilDiv(-dx, sw)));
        int last = Math.max(first, Math.min(ow, Math.ceilDiv(iw - dx, sw)));
        int dst = 0;
        for (int oy = 0; oy < g.oh(); oy++, dst += ow) {
            int y = oy * g.sh() - g.pt() + ky * g.dh();
            if (y < 0 || y >= ih || first == last) {
                java.util.Arrays.fill(line, dst, dst + ow, 0f);
                continue;
            }
            int src = plane + y * iw + first * sw + dx;
            java.util.Arrays.fill(line, dst, dst + first, 0f);
            if (sw == 1) {
                System.arraycopy(in, src, line, dst + first, last - first);
            } else {
                for (int d = dst + first, end = dst + last; d < end; d++, src += sw) {
                    line[d] = in[src];
                }
            }
            java.util.Arrays.fill(line, dst + last, dst + ow, 0f);
        }
        java.util.Arrays.fill(line, g.positions(), columnBlocks * NR, 0f);
        int group = row / k;
        int base = group * groupStride + (row % k) * NR;
        for (int block = 0; block < columnBlocks; block++) {
            System.arraycopy(line, block * NR, b, base + block * k * NR, NR);
        }
    }

    /** Row panels [firstPanel, lastPanel) of a group, for the column panels of one column group. */
    private void task(int group, int firstPanel, int lastPanel, int columnGroup) {
        Scratch s = scratch.get();
        int firstColumn = columnGroup * columnsPerTask;
        int columns = Math.min(columnBlocks, firstColumn + columnsPerTask) - firstColumn;
        if (direct) {
            for (int c = 0; c < columns; c++) {
                copyPanel(group, firstColumn + c, s.panels, c * k * NR);
            }
        }
        int positions = g.positions();
        int cog = g.outputChannelsPerGroup();
        for (int p = firstPanel; p < lastPanel; p++) {
            int aBase = (group * rowPanels + p) * k * MR;
            int row0 = p * MR;
            int rows = Math.min(MR, cog - row0);
            int channel0 = group * cog + row0;
            for (int c = 0; c < columns; c++) {
                float[] b = direct ? s.panels : callWorkspace;
                int bBase = direct ? c * k * NR : group * groupStride + (firstColumn + c) * k * NR;
                microKernel(packedWeights, aBase, b, bBase, panelRows, s.tile);
                int col0 = (firstColumn + c) * NR;
                int at = channel0 * positions + col0;
                epilogue(s.tile, rows, Math.min(NR, positions - col0), callOut, callOutBase + at, positions, channel0, callEpilogue,
                        callResidualBase + at);
            }
        }
    }

    /**
     * Column panel {@code column} of a 1x1 convolution's input, into contiguous scratch: read in place at
     * a row stride of thousands of floats, every step would touch another page and the kernel would wait
     * on the TLB.
     */
    private void copyPanel(int group, int column, float[] panels, int at) {
        int positions = g.positions();
        int col0 = column * NR;
        int valid = Math.min(NR, positions - col0);
        int src = callInBase + group * k * positions + col0;
        for (int j = 0; j < k; j++, src += positions, at += NR) {
            System.arraycopy(callIn, src, panels, at, valid);
            if (valid < NR) {
                java.util.Arrays.fill(panels, at + valid, at + NR, 0f);
            }
        }
    }

    /**
     * One MR x NR tile of sums into {@code tile} (row-major, MR x NR), over {@code rows.length} steps of
     * the reduction: step j reads MR weights at {@code aBase + j * MR} and NR values of {@code b} at
     * {@code bBase + rows[j]} (a column panel for the GEMM, a tap of the padded input for
     * {@link DirectConv}). The accumulators stay in registers and leave through {@code intoArray}: a
     * vector passed to a method the JIT does not inline would be boxed on the heap. (Blocking the
     * reduction to keep the column panel in L1 was measured slower: the hardware prefetcher streams it
     * from L2 well enough, and the partial sums' round trips cost more.)
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
     * Rows [0, rows) and columns [0, valid) of a tile through the epilogue into {@code out}
     * (row stride {@code ld}); {@code residualBase} indexes the residual tensor at the tile's first element.
     */
    static void epilogue(float[] tile, int rows, int valid, float[] out, int outBase, int ld, int channel0, Epilogue e,
            int residualBase) {
        boolean cheap = VectorActivations.isCheap(e.activation());
        for (int r = 0; r < rows; r++) {
            int o = outBase + r * ld;
            int res = residualBase + r * ld;
            int from = r * NR;
            float bias = e.bias() == null ? 0f : e.bias()[channel0 + r];
            int c = 0;
            for (; c + L <= valid; c += L) {
                storeFull(tile, from + c, out, o + c, bias, e, res + c);
            }
            if (c < valid) {
                storeTail(tile, from + c, out, o + c, valid - c, bias, e, res + c);
            }
            if (!cheap) {
                VectorActivations.apply(out, o, o + valid, e.activation(), e.slope());
            }
        }
    }

    /** One vector of a row through the epilogue. */
    private static void storeFull(float[] tile, int from, float[] out, int at, float bias, Epilogue e, int residualAt) {
        FloatVector v = FloatVector.fromArray(S, tile, from).add(bias);
        if (e.residual() != null) {
            v = v.add(FloatVector.fromArray(S, e.residual(), residualAt));
        }
        if (e.accumulate()) {
            v = v.add(FloatVector.fromArray(S, out, at));
        }
        if (e.leaky()) {
            v = v.blend(v.mul(e.slope()), v.lt(0f));
        } else if (e.clamps()) {
            v = v.blend(0f, v.lt(0f));
            if (e.capped()) {
                v = v.blend(Epilogue.CAP, v.compare(VectorOperators.GT, Epilogue.CAP));
            }
        }
        v.intoArray(out, at);
    }

    /** The last {@code count} (fewer than a vector's) columns of a row, a float at a time. */
    private static void storeTail(float[] tile, int from, float[] out, int at, int count, float bias, Epilogue e, int residualAt) {
        boolean cheap = VectorActivations.isCheap(e.activation());
        for (int i = 0; i < count; i++) {
            float v = tile[from + i] + bias;
            if (e.residual() != null) {
                v += e.residual()[residualAt + i];
            }
            if (e.accumulate()) {
                v += out[at + i];
            }
            out[at + i] = cheap ? e.activation().apply(v, e.slope()) : v;
        }
    }
}
