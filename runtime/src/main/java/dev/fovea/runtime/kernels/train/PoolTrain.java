package dev.fovea.runtime.kernels.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.graph.Window;

/**
 * Pooling for training, forward and backward side by side, one task per (sample, channel) plane. Max
 * pooling records each output's switch (the input position of its maximum, the first on ties as
 * PyTorch), and its backward routes the gradient there; average pooling spreads it over the window
 * with the forward pass's divisor.
 */
public final class PoolTrain {
    private PoolTrain() {}

    /** in: planes x ih x iw; out and switches: planes x oh x ow. */
    public static void maxForward(Workers workers, float[] in, float[] out, int[] switches, int planes, int ih, int iw, int oh, int ow,
            Window w) {
        workers.parallelFor(planes, p -> {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int at = -1;
                    for (int ky = 0; ky < w.kh(); ky++) {
                        int iy = y * w.sh() - w.padTop() + ky * w.dh();
                        if (iy < 0 || iy >= ih) {
                            continue;
                        }
                        for (int kx = 0; kx < w.kw(); kx++) {
                            int ix = x * w.sw() - w.padLeft() + kx * w.dw();
                            if (ix >= 0 && ix < iw) {
                                float v = in[(p * ih + iy) * iw + ix];
                                if (v > best || at < 0 || Float.isNaN(v)) {
                                    best = v;
                                    at = iy * iw + ix;
                                }
                            }
                        }
                    }
                    out[(p * oh + y) * ow + x] = best;
                    switches[(p * oh + y) * ow + x] = at;
                }
            }
        });
    }

    public static void maxBackward(Workers workers, float[] dy, int[] switches, float[] dx, int planes, int ihw, int ohw) {
        workers.parallelFor(planes, p -> {
            for (int i = 0; i < ohw; i++) {
                dx[p * ihw + switches[p * ohw + i]] += dy[p * ohw + i];
            }
        });
    }

    /** The divisor of average pooling's window at (y, x), as PyTorch counts it. */
    private static int divisor(int y, int x, int ih, int iw, Window w, boolean countIncludePad) {
        int y0 = y * w.sh() - w.padTop();
        int x0 = x * w.sw() - w.padLeft();
        if (countIncludePad) {
            int yEnd = Math.min(y0 + w.kh(), ih + w.padBottom());
            int xEnd = Math.min(x0 + w.kw(), iw + w.padRight());
            return (yEnd - y0) * (xEnd - x0);
        }
        int rows = Math.min(y0 + w.kh(), ih) - Math.max(y0, 0);
        int cols = Math.min(x0 + w.kw(), iw) - Math.max(x0, 0);
        return Math.max(1, rows * cols);
    }

    /** Average pooling's backward (dilation 1, as PyTorch's AvgPool2d has none). */
    public static void avgBackward(Workers workers, float[] dy, float[] dx, int planes, int ih, int iw, int oh, int ow, Window w,
            boolean countIncludePad) {
        workers.parallelFor(planes, p -> {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    float g = dy[(p * oh + y) * ow + x] / divisor(y, x, ih, iw, w, countIncludePad);
                    for (int ky = 0; ky < w.kh(); ky++) {
                        int iy = y * w.sh() - w.padTop() + ky;
                        if (iy < 0 || iy >= ih) {
                            continue;
                        }
                        for (int kx = 0; kx < w.kw(); kx++) {
                            int ix = x * w.sw() - w.padLeft() + kx;
                            if (ix >= 0 && ix < iw) {
                                dx[(p * ih + iy) * iw + ix] += g;
                            }
                        }
                    }
                }
            }
        });
    }

    /** Adaptive average pooling's backward: bin (y, x) covers [floor(y*ih/oh), ceil((y+1)*ih/oh)). */
    public static void adaptiveAvgBackward(Workers workers, float[] dy, float[] dx, int planes, int ih, int iw, int oh, int ow) {
        workers.parallelFor(planes, p -> {
            for (int y = 0; y < oh; y++) {
                int y0 = y * ih / oh;
                int y1 = ((y + 1) * ih + oh - 1) / oh;
                for (int x = 0; x < ow; x++) {
                    int x0 = x * iw / ow;
                    int x1 = ((x + 1) * iw + ow - 1) / ow;
                    float g = dy[(p * oh + y) * ow + x] / ((y1 - y0) * (x1 - x0));
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            dx[(p * ih + iy) * iw + ix] += g;
                        }
                    }
                }
            }
        });
    }
}
