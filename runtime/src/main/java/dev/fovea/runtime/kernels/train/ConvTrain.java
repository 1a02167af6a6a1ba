package dev.fovea.runtime.kernels.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.ConvGeometry;
import java.util.Arrays;

/**
 * Convolution for training, forward and backward side by side, as GEMMs over one sample's im2col
 * matrix (K = ci/groups * kh * kw rows by P = oh * ow columns; a 1x1 stride-1 convolution reads its
 * input in place):
 * <pre>
 *   forward      y[g]    (cog x P)  = W[g] (cog x K) . col[g] (K x P) + bias
 *   weight grad  dW[g]^T (K x cog) += col[g] (K x P) . dy[g]^T (P x cog)
 *   data grad    dcol    (K x P)    = W[g]^T (K x cog) . dy[g] (cog x P), scattered back by col2im
 * </pre>
 * All three are {@link Gemm#nn}; the weight gradient is summed transposed (so its B operand, the
 * output gradient transposed once per sample, has contiguous rows) and turned back when the partial
 * sums are added. The batch is split into a fixed number of tasks, each a fixed range of samples with
 * its own scratch and its own partial weight gradient; the partials are added in task order. So the
 * result depends on the number of tasks, never on which thread ran which.
 */
public final class ConvTrain {
    private final ConvGeometry g;
    private final int batch;
    private final int tasks;
    private final int k;
    private final int positions;
    private final float[][] col;
    private final float[][] dcol;
    /** Each task's output gradient of one sample and group, transposed: P x cog. */
    private final float[][] dyT;
    /** The weights packed for {@link Gemm#nn} once per pass, as the forward pass reads them and transposed. */
    private final float[] packedW;
    private final float[] packedWT;
    /** Each task's weight gradient, transposed per group: [group][K][cog]. */
    private final float[][] partial;

    public ConvTrain(ConvGeometry g, int batch, int threads) {
        this.g = g;
        this.batch = batch;
        this.tasks = Math.max(1, Math.min(batch, threads));
        this.k = g.k();
        this.positions = g.positions();
        boolean inPlace = g.isPointwise();
        this.col = new float[tasks][inPlace ? 0 : k * positions];
        this.dcol = new float[tasks][inPlace ? 0 : k * positions];
        this.dyT = new float[tasks][positions * g.outputChannelsPerGroup()];
        this.partial = new float[tasks][g.co() * k];
        this.packedW = new float[g.groups() * Gemm.packedSize(g.outputChannelsPerGroup(), k)];
        this.packedWT = new float[g.groups() * Gemm.packedSize(k, g.outputChannelsPerGroup())];
    }

    public ConvGeometry geometry() {
        return g;
    }

    private int first(int task) {
        return (int) ((long) task * batch / tasks);
    }

    /** y = conv(x, weight) + bias for every sample; bias may be null. */
    public void forward(Workers workers, float[] x, float[] weight, float[] bias, float[] y) {
        int cog = g.outputChannelsPerGroup();
        for (int group = 0; group < g.groups(); group++) {
            Gemm.pack(cog, k, weight, group * cog * k, k, 1, packedW, group * Gemm.packedSize(cog, k));
        }
        workers.parallelFor(tasks, t -> {
            for (int b = first(t); b < first(t + 1); b++) {
                forwardSample(t, b, x, weight, bias, y);
            }
        });
    }

    private void forwardSample(int task, int b, float[] x, float[] weight, float[] bias, float[] y) {
        int cog = g.outputChannelsPerGroup();
        int yBase = b * g.outputSize();
        for (int o = 0; o < g.co(); o++) {
            Arrays.fill(y, yBase + o * positions, yBase + (o + 1) * positions, bias == null ? 0 : bias[o]);
        }
        for (int group = 0; group < g.groups(); group++) {
            float[] source = columns(task, x, b, group);
            int sourceOff = source == x ? xOffset(b, group) : 0;
            Gemm.nn(cog, positions, k, packedW, group * Gemm.packedSize(cog, k), weight, group * cog * k, k, 1, source, sourceOff, positions,
                    y, yBase + group * cog * positions, positions);
        }
    }

    /**
     * Accumulates the gradients of a batch: into dx (when not null) the input's, into dw and db (when not
     * null) the weight's and bias's.
     */
    public void backward(Workers workers, float[] x, float[] weight, float[] dy, float[] dx, float[] dw, float[] db) {
        if (dw != null) {
            for (float[] p : partial) {
                Arrays.fill(p, 0);
            }
        }
        int cog = g.outputChannelsPerGroup();
        if (dx != null) {
            for (int group = 0; group < g.groups(); group++) {
                Gemm.pack(k, cog, weight, group * cog * k, 1, k, packedWT, group * Gemm.packedSize(k, cog));
            }
        }
        workers.parallelFor(tasks, t -> {
            for (int b = first(t); b < first(t + 1); b++) {
                backwardSample(t, b, x, weight, dy, dx, dw == null ? null : partial[t]);
            }
        });
        if (dw != null) {
            addPartials(workers, dw);
        }
        if (db != null) {
            workers.parallelFor(g.co(), o -> {
                double sum = 0;
                for (int b = 0; b < batch; b++) {
                    int base = b * g.outputSize() + o * positions;
                    for (int p = 0; p < positions; p++) {
                        sum += dy[base + p];
                    }
                }
                db[o] += (float) sum;
            });
        }
    }

    private void backwardSample(int task, int b, float[] x, float[] weight, float[] dy, float[] dx, float[] dw) {
        int cog = g.outputChannelsPerGroup();
        int dyBase = b * g.outputSize();
        for (int group = 0; group < g.groups(); group++) {
            int dyOff = dyBase + group * cog * positions;
            if (dw != null) {
                float[] source = columns(task, x, b, group);
                int sourceOff = source == x ? xOffset(b, group) : 0;
                if (cog < Gemm.VECTOR) {
                    // too few output channels to fill a vector: dot products along the positions instead
                    Gemm.nt(k, cog, positions, source, sourceOff, positions, dy, dyOff, positions, dw, group * cog * k, cog);
                } else {
                    float[] t = dyT[task];
                    for (int o = 0; o < cog; o++) {
                        for (int p = 0; p < positions; p++) {
                            t[p * cog + o] = dy[dyOff + o * positions + p];
                        }
                    }
                    Gemm.nn(k, cog, positions, source, sourceOff, positions, 1, t, 0, cog, dw, group * cog * k, cog);
                }
            }
            if (dx != null) {
                int packed = group * Gemm.packedSize(k, cog);
                if (g.isPointwise()) {
                    Gemm.nn(k, positions, cog, packedWT, packed, weight, group * cog * k, 1, k, dy, dyOff, positions, dx, xOffset(b, group),
                            positions);
                } else {
                    float[] d = dcol[task];
                    Arrays.fill(d, 0);
                    Gemm.nn(k, positions, cog, packedWT, packed, weight, group * cog * k, 1, k, dy, dyOff, positions, d, 0, positions);
                    col2im(d, dx, b, group);
                }
            }
        }
    }

    /** dw[o][j] += the tasks' partial sums at [group][j][o], in task order. */
    private void addPartials(Workers workers, float[] dw) {
        int cog = g.outputChannelsPerGroup();
        workers.parallelFor(g.co(), o -> {
            int group = o / cog;
            int column = o % cog;
            for (float[] p : partial) {
                int base = group * cog * k;
                for (int j = 0; j < k; j++) {
                    dw[o * k + j] += p[base + j * cog + column];
                }
            }
        });
    }

    private int xOffset(int b, int group) {
        return b * g.inputSize() + group * g.inputChannelsPerGroup() * g.ih() * g.iw();
    }

    /** The K x P matrix of sample b's group: the input itself for a 1x1 stride-1 convolution, else im2col into scratch. */
    private float[] columns(int task, float[] x, int b, int group) {
        if (g.isPointwise()) {
            return x;
        }
        float[] c = col[task];
        int cig = g.inputChannelsPerGroup();
        int xBase = xOffset(b, group);
        int row = 0;
        for (int ch = 0; ch < cig; ch++) {
            for (int ky = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < g.kw(); kx++, row++) {
                    int from = firstColumn(kx);
                    int to = endColumn(kx);
                    for (int oy = 0; oy < g.oh(); oy++) {
                        int at = row * positions + oy * g.ow();
                        int iy = oy * g.sh() - g.pt() + ky * g.dh();
                        if (iy < 0 || iy >= g.ih() || from >= to) {
                            Arrays.fill(c, at, at + g.ow(), 0);
                            continue;
                        }
                        Arrays.fill(c, at, at + from, 0);
                        Arrays.fill(c, at + to, at + g.ow(), 0);
                        int source = xBase + (ch * g.ih() + iy) * g.iw() + from * g.sw() - g.pl() + kx * g.dw();
                        if (g.sw() == 1) {
                            System.arraycopy(x, source, c, at + from, to - from);
                        } else {
                            for (int ox = from; ox < to; ox++, source += g.sw()) {
                                c[at + ox] = x[source];
                            }
                        }
                    }
                }
            }
        }
        return c;
    }

    /** The first output column whose tap kx reads inside the input row. */
    private int firstColumn(int kx) {
        int offset = kx * g.dw() - g.pl(); // ix = ox * sw + offset
        return offset >= 0 ? 0 : Math.min(g.ow(), (-offset + g.sw() - 1) / g.sw());
    }

    /** One past the last output column whose tap kx reads inside the input row. */
    private int endColumn(int kx) {
        int offset = kx * g.dw() - g.pl();
        int last = g.iw() - 1 - offset; // ox * sw <= last
        return last < 0 ? 0 : Math.min(g.ow(), last / g.sw() + 1);
    }

    /** dx[b, group] += the K x P matrix d folded back onto the input positions it was read from. */
    private void col2im(float[] d, float[] dx, int b, int group) {
        int cig = g.inputChannelsPerGroup();
        int xBase = xOffset(b, group);
        int row = 0;
        for (int ch = 0; ch < cig; ch++) {
            for (int ky = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < g.kw(); kx++, row++) {
                    int from = firstColumn(kx);
                    int to = endColumn(kx);
                    for (int oy = 0; oy < g.oh(); oy++) {
                        int iy = oy * g.sh() - g.pt() + ky * g.dh();
                        if (iy < 0 || iy >= g.ih()) {
                            continue;
                        }
                        int at = row * positions + oy * g.ow();
                        int target = xBase + (ch * g.ih() + iy) * g.iw() + from * g.sw() - g.pl() + kx * g.dw();
                        if (g.sw() == 1) {
                            for (int ox = from; ox < to; ox++) {
                                dx[target + ox - from] += d[at + ox];
                            }
                        } else {
                            for (int ox = from; ox < to; ox++, target += g.sw()) {
                                dx[target] += d[at + ox];
                            }
                        }
                    }
                }
            }
        }
    }
}
