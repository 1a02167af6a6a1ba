package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution as a matrix product, out[co, p] = W[co, k] x im2col(in)[k, p], per sample and group, with
 * a register-blocked Vector API kernel: 8 output channels by 2 vectors of output positions, 16
 * accumulators. Weights are packed once in 8-row panels; each task packs the im2col panel of its own
 * 2-vector column block, then runs it against a range of row panels. The epilogue adds the bias, a
 * residual, and the activation on the way out.
 */
public final class ConvGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Rows of a register tile. */
    static final int MR = 8;
    /** Columns of a register tile: two vectors. */
    static final int NR = 2 * L;
    /** Row panels per task: enough work to pay for packing the column panel, few enough to share out. */
    private static final int PANELS_PER_TASK = 8;

    private final ConvGeometry g;
    private final float[] packedWeights;
    private final int rowPanels;
    private final int k;
    private final int columnBlocks;
    private final int rowChunks;
    private final ThreadLocal<Scratch> scratch;

    /** A thread's packing space: the column panel and where each of its columns starts in the input. */
    private static final class Scratch {
        final float[] panel;
        final int[] rowOrigin = new int[NR];
        final int[] colOrigin = new int[NR];

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
        int panelSize = k * NR;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(panelSize));
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

    /** The tasks of one sample: groups x row chunks x column blocks. */
    public int tasksPerSample() {
        return g.groups() * rowChunks * columnBlocks;
    }

    /** Convolves samples [0, n) of {@code in} into {@code out}, sharing the tiles out among the workers. */
    public void run(Workers workers, float[] in, int inOffset, float[] out, int outOffset, int n, Epilogue e) {
        int perSample = tasksPerSample();
        workers.parallelFor(n * perSample, t -> {
            int sample = t / perSample;
            int rest = t % perSample;
            int column = rest % columnBlocks;
            rest /= columnBlocks;
            int chunk = rest % rowChunks;
            int group = rest / rowChunks;
            tile(in, inOffset + sample * g.inputSize(), out, outOffset + sample * g.outputSize(), sample, group, chunk, column, e);
        });
    }

    private void tile(float[] in, int inBase, float[] out, int outBase, int sample, int group, int chunk, int column, Epilogue e) {
        Scratch s = scratch.get();
        float[] b = s.panel;
        int col0 = column * NR;
        int valid = Math.min(NR, g.positions() - col0);
        packColumns(in, inBase + group * g.inputChannelsPerGroup() * g.ih() * g.iw(), s, col0, valid);
        int cog = g.outputChannelsPerGroup();
        int lastPanel = Math.min(rowPanels, (chunk + 1) * PANELS_PER_TASK);
        for (int p = chunk * PANELS_PER_TASK; p < lastPanel; p++) {
            int row0 = p * MR;
            int rows = Math.min(MR, cog - row0);
            int aBase = (group * rowPanels + p) * k * MR;
            int channel0 = group * cog + row0;
            microKernel(packedWeights, aBase, b, k, out, outBase + channel0 * g.positions() + col0, g.positions(), rows, valid,
                    channel0, e, sample * g.outputSize() + channel0 * g.positions() + col0);
        }
    }

    /** The im2col panel of columns [col0, col0 + valid): [k][NR], zeros outside the input and past the end. */
    private void packColumns(float[] in, int inBase, Scratch s, int col0, int valid) {
        float[] b = s.panel;
        if (g.isPointwise()) {
            int positions = g.positions();
            for (int j = 0; j < k; j++) {
                System.arraycopy(in, inBase + j * positions + col0, b, j * NR, valid);
                for (int c = valid; c < NR; c++) {
                    b[j * NR + c] = 0;
                }
            }
            return;
        }
        int[] rowOrigin = s.rowOrigin;
        int[] colOrigin = s.colOrigin;
        for (int c = 0; c < NR; c++) {
            int p = col0 + Math.min(c, valid - 1);
            rowOrigin[c] = (p / g.ow()) * g.sh() - g.pt();
            colOrigin[c] = (p % g.ow()) * g.sw() - g.pl();
        }
        int ih = g.ih();
        int iw = g.iw();
        int j = 0;
        for (int c = 0; c < g.inputChannelsPerGroup(); c++) {
            int plane = inBase + c * ih * iw;
            for (int ky = 0; ky < g.kh(); ky++) {
                int dy = ky * g.dh();
                for (int kx = 0; kx < g.kw(); kx++, j++) {
                    int dx = kx * g.dw();
                    int row = j * NR;
                    for (int col = 0; col < valid; col++) {
                        int y = rowOrigin[col] + dy;
                        int x = colOrigin[col] + dx;
                        b[row + col] = y >= 0 && y < ih && x >= 0 && x < iw ? in[plane + y * iw + x] : 0;
                    }
                    for (int col = valid; col < NR; col++) {
                        b[row + col] = 0;
                    }
                }
            }
        }
    }

    /**
     * One MR x NR tile: out rows [0, rows) at stride {@code ld} from {@code outBase}, columns [0, valid).
     * {@code residualBase} indexes the residual tensor (whole batch) at the tile's first element.
     */
    static void microKernel(float[] a, int aBase, float[] b, int k, float[] out, int outBase, int ld, int rows, int valid,
            int channel0, Epilogue e, int residualBase) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int j = 0; j < k; j++) {
            FloatVector b0 = FloatVector.fromArray(S, b, j * NR);
            FloatVector b1 = FloatVector.fromArray(S, b, j * NR + L);
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
        store(c00, c01, out, outBase, valid, channel0, e, residualBase);
        if (rows > 1) {
            store(c10, c11, out, outBase + ld, valid, channel0 + 1, e, residualBase + ld);
        }
        if (rows > 2) {
            store(c20, c21, out, outBase + 2 * ld, valid, channel0 + 2, e, residualBase + 2 * ld);
        }
        if (rows > 3) {
            store(c30, c31, out, outBase + 3 * ld, valid, channel0 + 3, e, residualBase + 3 * ld);
        }
        if (rows > 4) {
            store(c40, c41, out, outBase + 4 * ld, valid, channel0 + 4, e, residualBase + 4 * ld);
        }
        if (rows > 5) {
            store(c50, c51, out, outBase + 5 * ld, valid, channel0 + 5, e, residualBase + 5 * ld);
        }
        if (rows > 6) {
            store(c60, c61, out, outBase + 6 * ld, valid, channel0 + 6, e, residualBase + 6 * ld);
        }
        if (rows > 7) {
            store(c70, c71, out, outBase + 7 * ld, valid, channel0 + 7, e, residualBase + 7 * ld);
        }
    }

    /** One row of a tile through the epilogue: columns [0, valid) of the two vectors. */
    private static void store(FloatVector v0, FloatVector v1, float[] out, int at, int valid, int channel, Epilogue e, int residualAt) {
        storeVector(v0, out, at, Math.min(valid, L), channel, e, residualAt);
        if (valid > L) {
            storeVector(v1, out, at + L, valid - L, channel, e, residualAt + L);
        }
    }

    static void storeVector(FloatVector v, float[] out, int at, int count, int channel, Epilogue e, int residualAt) {
        VectorMask<Float> m = count >= L ? S.maskAll(true) : S.indexInRange(0, count);
        if (e.bias() != null) {
            v = v.add(e.bias()[channel]);
        }
        if (e.residual() != null) {
            v = v.add(FloatVector.fromArray(S, e.residual(), residualAt, m));
        }
        if (e.accumulate()) {
            v = v.add(FloatVector.fromArray(S, out, at, m));
        }
        v = switch (e.activation()) {
            case RELU -> v.max(0f);
            case RELU6 -> v.max(0f).min(6f);
            case LEAKY_RELU -> v.blend(v.mul(e.slope()), v.compare(VectorOperators.LT, 0f));
            default -> v;
        };
        v.intoArray(out, at, m);
    }
}
