package dev.fovea.runtime.kernels.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.ConvGeometry;
import java.util.Arrays;

/**
 * Convolution for training, forward and backward side by side, as GEMMs over one sample's im2col
 * matrix (K = ci/groups * kh * kw rows by P = oh * ow columns; a 1x1 stride-1 convolution reads its
 * input in place):
 * <pre>
 *   forward      y[g]  (cog x P)  = W[g] (cog x K) . col[g] (K x P) + bias
 *   weight grad  dW[g] (cog x K) += dy[g] (cog x P) . col[g]^T (P x K)
 *   data grad    dcol  (K x P)    = W[g]^T (K x cog) . dy[g] (cog x P), scattered back by col2im
 * </pre>
 * The batch is split into a fixed number of tasks, each a fixed range of samples with its own scratch
 * and, for the weight gradient, its own partial sum; the partials are added in task order. So the
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
        this.partial = new float[tasks > 1 ? tasks : 0][g.co() * k];
    }

    public ConvGeometry geometry() {
        return g;
    }

    private int first(int task) {
        return (int) ((long) task * batch / tasks);
    }

    /** y = conv(x, weight) + bias for every sample; bias may be null. */
    public void forward(Workers workers, float[] x, float[] weight, float[] bias, float[] y) {
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
            Gemm.nn(cog, positions, k, weight, group * cog * k, k, 1, source, sourceOff, positions, y, yBase + group * cog * positions,
                    positions);
        }
    }

    /**
     * Accumulates the gradients of a batch: into dx (when not null) the input's, into dw and db (when not
     * null) the weight's and bias's.
     */
    public void backward(Workers workers, float[] x, float[] weight, float[] dy, float[] dx, float[] dw, float[] db) {
        if (dw != null && tasks > 1) {
            for (float[] p : partial) {
                Arrays.fill(p, 0);
            }
        }
        workers.parallelFor(tasks, t -> {
            for (int b = first(t); b < first(t + 1); b++) {
                backwardSample(t, b, x, weight, dy, dx, dw == null ? null : tasks > 1 ? partial[t] : dw);
            }
        });
        if (dw != null && tasks > 1) {
            int chunk = 4096;
            workers.parallelFor((dw.length + chunk - 1) / chunk, c -> {
                int to = Math.min(dw.length, (c + 1) * chunk);
                for (float[] p : partial) {
                    for (int i = c * chunk; i < to; i++) {
                        dw[i] += p[i];
                    }
                }
            });
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
                Gemm.nt(cog, k, positions, dy, dyOff, positions, source, sourceOff, positions, dw, group * cog * k, k);
            }
            if (dx != null) {
                if (g.isPointwise()) {
                    Gemm.nn(k, positions, cog, weight, group * cog * k, 1, k, dy, dyOff, positions, dx, xOffset(b, group), positions);
                } else {
                    float[] d = dcol[task];
                    Arrays.fill(d, 0);
                    Gemm.nn(k, positions, cog, weight, group * cog * k, 1, k, dy, dyOff, positions, d, 0, positions);
                    col2im(d, dx, b, group);
                }
            }
        }
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
                    int at = row * positions;
                    for (int oy = 0; oy < g.oh(); oy++) {
                        int iy = oy * g.sh() - g.pt() + ky * g.dh();
                        for (int ox = 0; ox < g.ow(); ox++, at++) {
                            int ix = ox * g.sw() - g.pl() + kx * g.dw();
                            c[at] = iy >= 0 && iy < g.ih() && ix >= 0 && ix < g.iw() ? x[xBase + (ch * g.ih() + iy) * g.iw() + ix] : 0;
                        }
                    }
                }
            }
        }
        return c;
    }

    /** dx[b, group] += the K x P matrix d folded back onto the input positions it was read from. */
    private void col2im(float[] d, float[] dx, int b, int group) {
        int cig = g.inputChannelsPerGroup();
        int xBase = xOffset(b, group);
        int row = 0;
        for (int ch = 0; ch < cig; ch++) {
            for (int ky = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < g.kw(); kx++, row++) {
                    int at = row * positions;
                    for (int oy = 0; oy < g.oh(); oy++) {
                        int iy = oy * g.sh() - g.pt() + ky * g.dh();
                        if (iy < 0 || iy >= g.ih()) {
                            at += g.ow();
                            continue;
                        }
                        for (int ox = 0; ox < g.ow(); ox++, at++) {
                            int ix = ox * g.sw() - g.pl() + kx * g.dw();
                            if (ix >= 0 && ix < g.iw()) {
                                dx[xBase + (ch * g.ih() + iy) * g.iw() + ix] += d[at];
                            }
                        }
                    }
                }
            }
        }
    }
}
