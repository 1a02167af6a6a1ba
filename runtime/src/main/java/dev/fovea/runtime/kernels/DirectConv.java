package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.function.IntConsumer;

/**
 * A convolution computed directly, without im2col: each sample is first copied into {@link StridePhases},
 * where the 32 outputs of a register tile (one output row) read 32 contiguous floats for every tap,
 * whatever the stride. The arithmetic is the GEMM kernel's (8 output channels by 2 vectors of one output
 * row); what goes is im2col's copy of every input pixel once per tap. Weights are packed as the GEMM's.
 */
public final class DirectConv {
    private static final int MR = ConvGemm.MR;
    private static final int NR = ConvGemm.NR;
    private static final int PANELS_PER_TASK = ConvGemm.PANELS_PER_TASK;

    private final ConvGeometry g;
    private final float[] packed;
    private final int rowPanels;
    private final int rowChunks;
    private final int xBlocks;
    private final StridePhases phases;
    /** The output's own array, unsliced. */
    private final OutputSlice whole;
    private final ThreadLocal<float[]> tiles = ThreadLocal.withInitial(() -> new float[MR * NR]);

    private float[] callIn;
    private int callInBase;
    private float[] callOut;
    private float[] callPlanes;
    private Epilogue callEpilogue;
    private int callOutBase;
    private int callResidualBase;
    private final IntConsumer copyTask;
    private final IntConsumer tileTask;

    /**
     * Whether this kernel applies and pays: dilation 1, one group, not a 1x1 stride-1 convolution (the GEMM
     * reads those in place), and an output row that fills at least 85% of its 32-column tiles (widths 28,
     * 56, 112, 224 do; on 7x7 and 14x14 maps the GEMM, which tiles the flattened positions, wastes less).
     */
    public static boolean handles(ConvGeometry g) {
        int tiles = (g.ow() + NR - 1) / NR;
        boolean fills = g.ow() >= 0.85 * tiles * NR;
        return g.dh() == 1 && g.dw() == 1 && g.groups() == 1 && !g.isPointwise() && fills;
    }

    public DirectConv(ConvGeometry g, float[] weight) {
        if (!handles(g)) {
            throw new IllegalArgumentException("not a convolution for the direct kernel: " + g);
        }
        this.g = g;
        int k = g.k();
        this.rowPanels = (g.co() + MR - 1) / MR;
        this.rowChunks = (rowPanels + PANELS_PER_TASK - 1) / PANELS_PER_TASK;
        this.xBlocks = (g.ow() + NR - 1) / NR;
        this.packed = new float[rowPanels * k * MR];
        for (int o = 0; o < g.co(); o++) {
            for (int j = 0; j < k; j++) {
                packed[(o / MR) * k * MR + j * MR + o % MR] = weight[o * k + j];
            }
        }
        this.phases = new StridePhases(g);
        this.whole = OutputSlice.whole(g.outputSize());
        this.copyTask = t -> phases.copy(callIn, callInBase, callPlanes, t);
        this.tileTask = t -> {
            int xb = t % xBlocks;
            int rest = t / xBlocks;
            int y = rest % g.oh();
            int chunk = rest / g.oh();
            tile(chunk, y, xb);
        };
    }

    /** Floats of workspace a call needs: one sample's phase planes, and a tile's overrun past the last. */
    public int workspaceSize() {
        return phases.size() + NR;
    }

    public void run(Workers workers, float[] in, float[] out, int n, Epilogue e, float[] workspace) {
        run(workers, in, out, whole, n, e, workspace);
    }

    /** As above, the output written into {@code slice} of {@code out} (a branch of a concatenation, say). */
    public void run(Workers workers, float[] in, float[] out, OutputSlice slice, int n, Epilogue e, float[] workspace) {
        callIn = in;
        callOut = out;
        callPlanes = workspace;
        callEpilogue = e;
        // the overrun holds only columns past the last output, but keep it finite
        java.util.Arrays.fill(workspace, phases.size(), workspaceSize(), 0f);
        for (int sample = 0; sample < n; sample++) {
            convolve(workers, sample, slice.base(sample), sample * g.outputSize());
        }
    }

    /**
     * Sample {@code sample} of {@code in} alone, into the first sample of {@code out} (a stem whose max pool reads
     * each sample as it is finished); e adds no residual.
     */
    public void runSample(Workers workers, float[] in, int sample, float[] out, Epilogue e, float[] workspace) {
        callIn = in;
        callOut = out;
        callPlanes = workspace;
        callEpilogue = e;
        java.util.Arrays.fill(workspace, phases.size(), workspaceSize(), 0f);
        convolve(workers, sample, 0, 0);
    }

    /** Copies input sample {@code sample} into the phase planes and convolves them into the output from {@code outBase}. */
    private void convolve(Workers workers, int sample, int outBase, int residualBase) {
        callInBase = sample * g.inputSize();
        workers.parallelFor(phases.copyTasks(), copyTask);
        callOutBase = outBase;
        callResidualBase = residualBase;
        workers.parallelFor(rowChunks * g.oh() * xBlocks, tileTask);
    }

    /** Output row y, columns [32 xb, 32 xb + 32), for up to 64 output channels. */
    private void tile(int chunk, int y, int xb) {
        float[] tile = tiles.get();
        int x0 = xb * NR;
        int valid = Math.min(NR, g.ow() - x0);
        int positions = g.positions();
        int inBase = y * phases.pw + x0;
        int lastPanel = Math.min(rowPanels, (chunk + 1) * PANELS_PER_TASK);
        for (int p = chunk * PANELS_PER_TASK; p < lastPanel; p++) {
            int row0 = p * MR;
            int rows = Math.min(MR, g.co() - row0);
            ConvGemm.microKernel(packed, p * g.k() * MR, callPlanes, inBase, phases.tapOffset, tile);
            int at = row0 * positions + y * g.ow() + x0;
            ConvGemm.epilogue(tile, rows, valid, callOut, callOutBase + at, positions, row0, callEpilogue, callResidualBase + at);
        }
    }
}
