package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.function.IntConsumer;

/**
 * A stride-1 convolution computed directly, without im2col: each sample is copied once into padded
 * planes, and the register tile (8 output channels by 2 vectors of one output row) reads its input for
 * tap (channel, ky, kx) straight from the padded row, contiguous because the stride is 1. The arithmetic
 * is the GEMM kernel's; what goes is the nine-fold im2col copy. Weights are packed as the GEMM's.
 */
public final class DirectConv {
    private static final int MR = ConvGemm.MR;
    private static final int NR = ConvGemm.NR;
    private static final int PANELS_PER_TASK = 8;

    private final ConvGeometry g;
    private final float[] packed;
    private final int rowPanels;
    private final int rowChunks;
    private final int xBlocks;
    private final int ph;
    private final int pw;
    private final int planeSize;
    /** For each tap j = (channel, ky, kx), its offset in the padded input from the tile's first pixel. */
    private final int[] tapOffset;
    private final ThreadLocal<float[]> tiles = ThreadLocal.withInitial(() -> new float[MR * NR]);

    private float[] callOut;
    private float[] callPadded;
    private Epilogue callEpilogue;
    private int callOutBase;
    private int callResidualBase;
    private final IntConsumer tileTask;

    /**
     * Whether this kernel applies and pays: stride 1, dilation 1, one group, a kernel larger than 1x1, and an
     * output row that fills at least 85% of its 32-column tiles (widths 28, 56, 112, 224 do; on 7x7 and
     * 14x14 maps the GEMM, which tiles the flattened positions, wastes less).
     */
    public static boolean handles(ConvGeometry g) {
        int tiles = (g.ow() + NR - 1) / NR;
        boolean fills = g.ow() >= 0.85 * tiles * NR;
        return g.sh() == 1 && g.sw() == 1 && g.dh() == 1 && g.dw() == 1 && g.groups() == 1 && g.kh() * g.kw() > 1 && fills;
    }

    public DirectConv(ConvGeometry g, float[] weight) {
        if (!handles(g)) {
            throw new IllegalArgumentException("not a stride-1 ungrouped convolution: " + g);
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
        this.ph = g.oh() + g.kh() - 1;
        this.pw = g.ow() + g.kw() - 1;
        this.planeSize = ph * pw;
        this.tapOffset = new int[k];
        int j = 0;
        for (int c = 0; c < g.ci(); c++) {
            for (int ky = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < g.kw(); kx++) {
                    tapOffset[j++] = c * planeSize + ky * pw + kx;
                }
            }
        }
        this.tileTask = t -> {
            int xb = t % xBlocks;
            int rest = t / xBlocks;
            int y = rest % g.oh();
            int chunk = rest / g.oh();
            tile(chunk, y, xb);
        };
    }

    /** Floats of workspace a call needs: one sample's padded planes, and a tile's overrun past the last. */
    public int workspaceSize() {
        return g.ci() * planeSize + NR + g.kw();
    }

    public void run(Workers workers, float[] in, float[] out, int n, Epilogue e, float[] workspace) {
        callOut = out;
        callPadded = workspace;
        callEpilogue = e;
        for (int sample = 0; sample < n; sample++) {
            pad(in, sample * g.inputSize(), workspace);
            callOutBase = sample * g.outputSize();
            callResidualBase = sample * g.outputSize();
            workers.parallelFor(rowChunks * g.oh() * xBlocks, tileTask);
        }
    }

    /** Copies one sample into padded planes (zeros around, ph x pw each). */
    private void pad(float[] in, int base, float[] padded) {
        java.util.Arrays.fill(padded, 0, g.ci() * planeSize + NR + g.kw(), 0f);
        for (int c = 0; c < g.ci(); c++) {
            for (int y = 0; y < g.ih(); y++) {
                int py = y + g.pt();
                if (py >= ph) {
                    break;
                }
                int src = base + (c * g.ih() + y) * g.iw();
                int dst = c * planeSize + py * pw + g.pl();
                System.arraycopy(in, src, padded, dst, Math.min(g.iw(), pw - g.pl()));
            }
        }
    }

    private void tile(int chunk, int y, int xb) {
        float[] tile = tiles.get();
        int x0 = xb * NR;
        int valid = Math.min(NR, g.ow() - x0);
        int positions = g.positions();
        int inBase = y * pw + x0;
        int lastPanel = Math.min(rowPanels, (chunk + 1) * PANELS_PER_TASK);
        for (int p = chunk * PANELS_PER_TASK; p < lastPanel; p++) {
            int row0 = p * MR;
            int rows = Math.min(MR, g.co() - row0);
            ConvGemm.microKernel(packed, p * g.k() * MR, callPadded, inBase, tapOffset, tile);
            int at = row0 * positions + y * g.ow() + x0;
            ConvGemm.epilogue(tile, rows, valid, callOut, callOutBase + at, positions, row0, callEpilogue, callResidualBase + at);
        }
    }
}
