package dev.fovea.runtime.kernels;

/**
 * The plain reference kernels: one straightforward loop nest per layer type, NCHW float32, written to
 * be obviously right rather than fast. The fast kernels are tested against them, and a session built in
 * reference mode runs on them alone.
 */
public final class Reference {
    private Reference() {}

    /**
     * Convolution (cross-correlation) of {@code n} samples: in is n x ci x ih x iw, weight co x ci/groups x kh
     * x kw, out n x co x oh x ow. Pads are top, left (bottom and right follow from the output size).
     */
    public static void conv2d(float[] in, float[] weight, float[] bias, float[] out, int n, int ci, int ih, int iw,
            int co, int oh, int ow, int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw, int groups) {
        int cig = ci / groups;
        int cog = co / groups;
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < co; o++) {
                int g = o / cog;
                for (int y = 0; y < oh; y++) {
                    for (int x = 0; x < ow; x++) {
                        float sum = bias == null ? 0 : bias[o];
                        for (int c = 0; c < cig; c++) {
                            int channel = g * cig + c;
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = y * sh - pt + ky * dh;
                                if (iy < 0 || iy >= ih) {
                                    continue;
                                }
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = x * sw - pl + kx * dw;
                                    if (ix < 0 || ix >= iw) {
                                        continue;
                                    }
                                    sum += in[((b * ci + channel) * ih + iy) * iw + ix] * weight[((o * cig + c) * kh + ky) * kw + kx];
                                }
                            }
                        }
                        out[((b * co + o) * oh + y) * ow + x] = sum;
                    }
                }
            }
        }
    }

    /** Transposed convolution: weight ci x co/groups x kh x kw (PyTorch's layout); pads are top, left. */
    public static void convTranspose2d(float[] in, float[] weight, float[] bias, float[] out, int n, int ci, int ih, int iw,
            int co, int oh, int ow, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        int cig = ci / groups;
        int cog = co / groups;
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < co; o++) {
                for (int i = 0; i < oh * ow; i++) {
                    out[(b * co + o) * oh * ow + i] = bias == null ? 0 : bias[o];
                }
            }
            for (int c = 0; c < ci; c++) {
                int g = c / cig;
                for (int y = 0; y < ih; y++) {
                    for (int x = 0; x < iw; x++) {
                        float v = in[((b * ci + c) * ih + y) * iw + x];
                        for (int oc = 0; oc < cog; oc++) {
                            int o = g * cog + oc;
                            for (int ky = 0; ky < kh; ky++) {
                                int oy = y * sh - ph + ky * dh;
                                if (oy < 0 || oy >= oh) {
                                    continue;
                                }
                                for (int kx = 0; kx < kw; kx++) {
                                    int ox = x * sw - pw + kx * dw;
                                    if (ox >= 0 && ox < ow) {
                                        out[((b * co + o) * oh + oy) * ow + ox] += v * weight[((c * cog + oc) * kh + ky) * kw + kx];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Max or average pooling; pads are top, left. Average pooling divides as PyTorch does. */
    public static void pool2d(boolean max, float[] in, float[] out, int n, int c, int ih, int iw, int oh, int ow, int kh, int kw,
            int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw, boolean countIncludePad) {
        for (int p = 0; p < n * c; p++) {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    int y0 = y * sh - pt;
                    int x0 = x * sw - pl;
                    float best = Float.NEGATIVE_INFINITY;
                    float sum = 0;
                    int count = 0;
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = y0 + ky * dh;
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = x0 + kx * dw;
                            if (iy >= 0 && iy < ih && ix >= 0 && ix < iw) {
                                float v = in[(p * ih + iy) * iw + ix];
                                best = Math.max(best, v);
                                sum += v;
                                count++;
                            }
                        }
                    }
                    float value;
                    if (max) {
                        value = best;
                    } else {
                        // PyTorch: with count_include_pad the divisor is the window clipped to the padded input.
                        int yEnd = Math.min(y0 + kh, ih + pb);
                        int xEnd = Math.min(x0 + kw, iw + pr);
                        int padded = (yEnd - y0) * (xEnd - x0);
                        value = sum / (countIncludePad ? padded : Math.max(count, 1));
                    }
                    out[(p * oh + y) * ow + x] = value;
                }
            }
        }
    }

    /** PyTorch's adaptive average pooling: bin i covers [floor(i*in/out), ceil((i+1)*in/out)). */
    public static void adaptiveAvgPool2d(float[] in, float[] out, int n, int c, int ih, int iw, int oh, int ow) {
        for (int p = 0; p < n * c; p++) {
            for (int y = 0; y < oh; y++) {
                int y0 = y * ih / oh;
                int y1 = ((y + 1) * ih + oh - 1) / oh;
                for (int x = 0; x < ow; x++) {
                    int x0 = x * iw / ow;
                    int x1 = ((x + 1) * iw + ow - 1) / ow;
                    float sum = 0;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            sum += in[(p * ih + iy) * iw + ix];
                        }
                    }
                    out[(p * oh + y) * ow + x] = sum / ((y1 - y0) * (x1 - x0));
                }
            }
        }
    }

    /** out = in x weight^T + bias: in n x features, weight units x features (PyTorch's Linear). */
    public static void dense(float[] in, float[] weight, float[] bias, float[] out, int n, int features, int units) {
        for (int b = 0; b < n; b++) {
            for (int u = 0; u < units; u++) {
                float sum = bias == null ? 0 : bias[u];
                for (int f = 0; f < features; f++) {
                    sum += in[b * features + f] * weight[u * features + f];
                }
                out[b * units + u] = sum;
            }
        }
    }

    /** A linear layer over the channels at each of {@code positions} positions: n x c x positions to n x units x positions. */
    public static void pointwiseDense(float[] in, float[] weight, float[] bias, float[] out, int n, int c, int positions, int units) {
        for (int b = 0; b < n; b++) {
            for (int u = 0; u < units; u++) {
                for (int p = 0; p < positions; p++) {
                    float sum = bias == null ? 0 : bias[u];
                    for (int k = 0; k < c; k++) {
                        sum += in[(b * c + k) * positions + p] * weight[u * c + k];
                    }
                    out[(b * units + u) * positions + p] = sum;
                }
            }
        }
    }

    /** Batch norm in inference: per channel, (x - mean) / sqrt(var + eps) * gamma + beta. */
    public static void batchNorm(float[] in, float[] out, int n, int c, int positions, float[] gamma, float[] beta, float[] mean,
            float[] var, double eps) {
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < c; k++) {
                double inv = 1.0 / Math.sqrt(var[k] + eps);
                for (int p = 0; p < positions; p++) {
                    int i = (b * c + k) * positions + p;
                    out[i] = (float) ((in[i] - mean[k]) * inv * gamma[k] + beta[k]);
                }
            }
        }
    }

    /** Layer norm over the channels at each position (ConvNeXt's); for a flat input, positions = 1. */
    public static void layerNorm(float[] in, float[] out, int n, int c, int positions, float[] gamma, float[] beta, double eps) {
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < positions; p++) {
                double mean = 0;
                for (int k = 0; k < c; k++) {
                    mean += in[(b * c + k) * positions + p];
                }
                mean /= c;
                double var = 0;
                for (int k = 0; k < c; k++) {
                    double d = in[(b * c + k) * positions + p] - mean;
                    var += d * d;
                }
                var /= c;
                double inv = 1.0 / Math.sqrt(var + eps);
                for (int k = 0; k < c; k++) {
                    int i = (b * c + k) * positions + p;
                    out[i] = (float) ((in[i] - mean) * inv * gamma[k] + beta[k]);
                }
            }
        }
    }

    /** PyTorch's local response norm: x / (k + alpha/size * sum of squares over size neighbouring channels)^beta. */
    public static void localResponseNorm(float[] in, float[] out, int n, int c, int positions, int size, double alpha, double beta,
            double k) {
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int from = Math.max(0, ch - size / 2);
                int to = Math.min(c - 1, ch + (size - 1) / 2);
                for (int p = 0; p < positions; p++) {
                    double sum = 0;
                    for (int j = from; j <= to; j++) {
                        double v = in[(b * c + j) * positions + p];
                        sum += v * v;
                    }
                    int i = (b * c + ch) * positions + p;
                    out[i] = (float) (in[i] / Math.pow(k + alpha / size * sum, beta));
                }
            }
        }
    }

    /** Softmax over the channels (features) at each position. */
    public static void softmax(float[] in, float[] out, int n, int c, int positions) {
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < positions; p++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    max = Math.max(max, in[(b * c + k) * positions + p]);
                }
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    sum += Math.exp(in[(b * c + k) * positions + p] - max);
                }
                for (int k = 0; k < c; k++) {
                    int i = (b * c + k) * positions + p;
                    out[i] = (float) (Math.exp(in[i] - max) / sum);
                }
            }
        }
    }

    /** LeNet's trainable subsampling: window sum x coefficient + bias, per channel, no padding. */
    public static void subsample(float[] in, float[] out, int n, int c, int ih, int iw, int oh, int ow, int kh, int kw, int sh, int sw,
            float[] weight, float[] bias) {
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < c; k++) {
                int p = b * c + k;
                for (int y = 0; y < oh; y++) {
                    for (int x = 0; x < ow; x++) {
                        float sum = 0;
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                sum += in[(p * ih + y * sh + ky) * iw + x * sw + kx];
                            }
                        }
                        out[(p * oh + y) * ow + x] = sum * weight[k] + bias[k];
                    }
                }
            }
        }
    }

    /** LeNet's Euclidean RBF output: out[u] = sum_f (in[f] - weight[u, f])^2. */
    public static void euclideanRbf(float[] in, float[] weight, float[] out, int n, int features, int units) {
        for (int b = 0; b < n; b++) {
            for (int u = 0; u < units; u++) {
                float sum = 0;
                for (int f = 0; f < features; f++) {
                    float d = in[b * features + f] - weight[u * features + f];
                    sum += d * d;
                }
                out[b * units + u] = sum;
            }
        }
    }

    /** out = x * scale[channel] (layer scale; squeeze-and-excitation with per-sample gates when gatesPerSample). */
    public static void scaleChannels(float[] in, float[] scale, float[] out, int n, int c, int positions, boolean gatesPerSample) {
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < c; k++) {
                float s = scale[gatesPerSample ? b * c + k : k];
                for (int p = 0; p < positions; p++) {
                    int i = (b * c + k) * positions + p;
                    out[i] = in[i] * s;
                }
            }
        }
    }

    public static void add(float[] a, float[] b, float[] out, int count) {
        for (int i = 0; i < count; i++) {
            out[i] = a[i] + b[i];
        }
    }

    /**
     * Copies a sample-major tensor of {@code channels} channels into channels [at, at + channels) of one with
     * {@code total} channels: one input of a concatenation.
     */
    public static void concatInto(float[] in, float[] out, int n, int channels, int positions, int at, int total) {
        for (int b = 0; b < n; b++) {
            System.arraycopy(in, b * channels * positions, out, (b * total + at) * positions, channels * positions);
        }
    }
}
