package dev.fovea.runtime.train;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent float64 forward pass of a graph in training mode (batch statistics, no dropout),
 * written from the layers' definitions and sharing no code with the runtime: the function whose
 * central differences the gradients are checked against.
 */
final class Float64Network {
    private final NetworkGraph graph;
    private final int n;

    Float64Network(NetworkGraph graph, int batch) {
        this.graph = graph;
        this.n = batch;
    }

    /** The logits: the output, or the input of a final softmax. */
    double[] logits(double[] input, Map<String, double[]> p) {
        Map<String, double[]> values = new HashMap<>();
        values.put(NetworkGraph.INPUT, input);
        for (Layer layer : graph.layers()) {
            values.put(layer.name(), forward(layer, values, p));
        }
        Layer last = graph.outputLayer();
        return values.get(last instanceof Layer.Softmax s ? s.input() : last.name());
    }

    private double[] forward(Layer layer, Map<String, double[]> v, Map<String, double[]> p) {
        double[] x = v.get(layer.inputs().getFirst());
        Shape y = layer.output();
        return switch (layer) {
            case Layer.Conv2d c -> conv(x, c.isPartial() ? spread(c, p.get(c.weight())) : p.get(c.weight()), p.get(c.bias()), c.in(), c.out(),
                    c.window(), c.groups());
            case Layer.Dense d when d.pointwise() -> conv(x, p.get(d.weight()), p.get(d.bias()), d.in(), d.out(), Window.kernel(1), 1);
            case Layer.Dense d -> dense(x, p.get(d.weight()), p.get(d.bias()), (int) d.in().elements(), (int) y.elements());
            case Layer.ConvTranspose2d t -> convTranspose(x, p.get(t.weight()), p.get(t.bias()), t);
            case Layer.Pool2d pool -> pool(x, pool);
            case Layer.AdaptiveAvgPool2d a -> adaptive(x, a.in(), y);
            case Layer.BatchNorm b when graph.frozen().contains(b.prefix() + ".weight") -> frozenBatchNorm(x, y, b, p);
            case Layer.BatchNorm b -> batchNorm(x, y, b.scale() ? p.get(b.prefix() + ".weight") : java.util.stream.DoubleStream.generate(() -> 1)
                    .limit(y.dim(0)).toArray(), p.get(b.prefix() + ".bias"), b.eps());
            case Layer.LayerNorm l -> layerNorm(x, y, p.get(l.prefix() + ".weight"), p.get(l.prefix() + ".bias"), l.eps());
            case Layer.LocalResponseNorm l -> lrn(x, y, l);
            case Layer.Activation a -> activation(x, a);
            case Layer.Softmax s -> softmax(x, y);
            case Layer.Dropout d -> x.clone();
            case Layer.Border s -> border(x, s);
            case Layer.ChannelSplit s -> split(x, s);
            case Layer.ChannelShuffle s -> shuffle(x, s);
            case Layer.Flatten f -> x;
            case Layer.Identity i -> x;
            case Layer.Subsample s -> subsample(x, s, p.get(s.prefix() + ".weight"), p.get(s.prefix() + ".bias"));
            case Layer.LayerScale s -> scale(x, p.get(s.tensor()), y, false);
            case Layer.Multiply m -> java.util.Arrays.stream(x).map(value -> value * m.factor()).toArray();
            case Layer.EuclideanRbf r -> rbf(x, p.get(r.weight()), (int) r.in().elements(), (int) y.elements());
            case Layer.Add a -> add(x, v.get(a.shortcut()));
            case Layer.ProjectedAdd pa -> add(x, batchNorm(conv(v.get(pa.shortcut()), p.get(pa.prefix() + ".0.weight"), null,
                    pa.shortcutShape(), y, Window.kernel(1).stride(pa.stride()), 1), y, p.get(pa.norm() + ".weight"), p.get(pa.norm() + ".bias"), 1e-5));
            case Layer.Concat c -> concat(c.inputs().stream().map(v::get).toList(), c.inputShapes(), y);
            case Layer.Scale s -> scale(v.get(s.input()), v.get(s.gates()), y, true);
        };
    }

    private static double[] spread(Layer.Conv2d c, double[] links) {
        int area = c.window().kh() * c.window().kw();
        int ci = c.in().channels();
        double[] full = new double[c.out().channels() * ci * area];
        int link = 0;
        for (int o = 0; o < c.out().channels(); o++) {
            for (int k = 0; k < ci; k++) {
                if (c.connections().get(k).charAt(o) == 'X') {
                    System.arraycopy(links, link++ * area, full, (o * ci + k) * area, area);
                }
            }
        }
        return full;
    }

    private double[] conv(double[] x, double[] w, double[] bias, Shape in, Shape out, Window win, int groups) {
        int ci = in.channels();
        int co = out.channels();
        int cig = ci / groups;
        int cog = co / groups;
        double[] y = new double[n * (int) out.elements()];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < co; o++) {
                for (int oy = 0; oy < out.height(); oy++) {
                    for (int ox = 0; ox < out.width(); ox++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int c = 0; c < cig; c++) {
                            for (int ky = 0; ky < win.kh(); ky++) {
                                for (int kx = 0; kx < win.kw(); kx++) {
                                    int iy = oy * win.sh() - win.padTop() + ky * win.dh();
                                    int ix = ox * win.sw() - win.padLeft() + kx * win.dw();
                                    if (iy >= 0 && iy < in.height() && ix >= 0 && ix < in.width()) {
                                        s += x[((b * ci + (o / cog) * cig + c) * in.height() + iy) * in.width() + ix]
                                                * w[((o * cig + c) * win.kh() + ky) * win.kw() + kx];
                                    }
                                }
                            }
                        }
                        y[((b * co + o) * out.height() + oy) * out.width() + ox] = s;
                    }
                }
            }
        }
        return y;
    }

    private double[] convTranspose(double[] x, double[] w, double[] bias, Layer.ConvTranspose2d t) {
        Shape in = t.in();
        Shape out = t.out();
        Window win = t.window();
        int ci = in.channels();
        int co = out.channels();
        int cig = ci / t.groups();
        int cog = co / t.groups();
        double[] y = new double[n * (int) out.elements()];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < co; o++) {
                for (int i = 0; i < out.height() * out.width(); i++) {
                    y[(b * co + o) * out.height() * out.width() + i] = bias == null ? 0 : bias[o];
                }
            }
            for (int c = 0; c < ci; c++) {
                for (int iy = 0; iy < in.height(); iy++) {
                    for (int ix = 0; ix < in.width(); ix++) {
                        double value = x[((b * ci + c) * in.height() + iy) * in.width() + ix];
                        for (int oc = 0; oc < cog; oc++) {
                            int o = (c / cig) * cog + oc;
                            for (int ky = 0; ky < win.kh(); ky++) {
                                for (int kx = 0; kx < win.kw(); kx++) {
                                    int oy = iy * win.sh() - win.padTop() + ky * win.dh();
                                    int ox = ix * win.sw() - win.padLeft() + kx * win.dw();
                                    if (oy >= 0 && oy < out.height() && ox >= 0 && ox < out.width()) {
                                        y[((b * co + o) * out.height() + oy) * out.width() + ox] += value
                                                * w[((c * cog + oc) * win.kh() + ky) * win.kw() + kx];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    private double[] dense(double[] x, double[] w, double[] bias, int features, int units) {
        double[] y = new double[n * units];
        for (int b = 0; b < n; b++) {
            for (int u = 0; u < units; u++) {
                double s = bias == null ? 0 : bias[u];
                for (int f = 0; f < features; f++) {
                    s += x[b * features + f] * w[u * features + f];
                }
                y[b * units + u] = s;
            }
        }
        return y;
    }

    private double[] pool(double[] x, Layer.Pool2d p) {
        Shape in = p.in();
        Shape out = p.out();
        Window w = p.window();
        double[] y = new double[n * (int) out.elements()];
        for (int plane = 0; plane < n * in.channels(); plane++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    double best = Double.NEGATIVE_INFINITY;
                    double sum = 0;
                    int count = 0;
                    for (int ky = 0; ky < w.kh(); ky++) {
                        for (int kx = 0; kx < w.kw(); kx++) {
                            int iy = oy * w.sh() - w.padTop() + ky * w.dh();
                            int ix = ox * w.sw() - w.padLeft() + kx * w.dw();
                            if (iy >= 0 && iy < in.height() && ix >= 0 && ix < in.width()) {
                                double value = x[(plane * in.height() + iy) * in.width() + ix];
                                best = Math.max(best, value);
                                sum += value;
                                count++;
                            }
                        }
                    }
                    int y0 = oy * w.sh() - w.padTop();
                    int x0 = ox * w.sw() - w.padLeft();
                    int padded = (Math.min(y0 + w.kh(), in.height() + w.padBottom()) - y0) * (Math.min(x0 + w.kw(), in.width() + w.padRight()) - x0);
                    y[(plane * out.height() + oy) * out.width() + ox] = p.kind() == PoolKind.MAX ? best
                            : sum / (p.countIncludePad() ? padded : count);
                }
            }
        }
        return y;
    }

    private double[] adaptive(double[] x, Shape in, Shape out) {
        double[] y = new double[n * (int) out.elements()];
        for (int plane = 0; plane < n * in.channels(); plane++) {
            for (int oy = 0; oy < out.height(); oy++) {
                int y0 = (int) Math.floor((double) oy * in.height() / out.height());
                int y1 = (int) Math.ceil((double) (oy + 1) * in.height() / out.height());
                for (int ox = 0; ox < out.width(); ox++) {
                    int x0 = (int) Math.floor((double) ox * in.width() / out.width());
                    int x1 = (int) Math.ceil((double) (ox + 1) * in.width() / out.width());
                    double s = 0;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            s += x[(plane * in.height() + iy) * in.width() + ix];
                        }
                    }
                    y[(plane * out.height() + oy) * out.width() + ox] = s / ((y1 - y0) * (x1 - x0));
                }
            }
        }
        return y;
    }

    private static int channels(Shape s) {
        return s.dim(0);
    }

    private static int positions(Shape s) {
        return (int) (s.elements() / s.dim(0));
    }

    /** A frozen norm normalises with its running statistics in training too. */
    private double[] frozenBatchNorm(double[] x, Shape s, Layer.BatchNorm b, Map<String, double[]> p) {
        int c = channels(s);
        int pos = positions(s);
        double[] gamma = p.get(b.prefix() + ".weight");
        double[] beta = p.get(b.prefix() + ".bias");
        double[] mean = p.get(b.prefix() + ".running_mean");
        double[] var = p.get(b.prefix() + ".running_var");
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int k = i / pos % c;
            y[i] = (x[i] - mean[k]) / Math.sqrt(var[k] + b.eps()) * gamma[k] + beta[k];
        }
        return y;
    }

    private double[] batchNorm(double[] x, Shape s, double[] gamma, double[] beta, double eps) {
        int c = channels(s);
        int pos = positions(s);
        double[] y = new double[x.length];
        for (int k = 0; k < c; k++) {
            double mean = 0;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < pos; i++) {
                    mean += x[(b * c + k) * pos + i];
                }
            }
            mean /= n * pos;
            double var = 0;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < pos; i++) {
                    double d = x[(b * c + k) * pos + i] - mean;
                    var += d * d;
                }
            }
            var /= n * pos;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < pos; i++) {
                    int at = (b * c + k) * pos + i;
                    y[at] = (x[at] - mean) / Math.sqrt(var + eps) * gamma[k] + beta[k];
                }
            }
        }
        return y;
    }

    private double[] layerNorm(double[] x, Shape s, double[] gamma, double[] beta, double eps) {
        int c = channels(s);
        int pos = positions(s);
        double[] y = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < pos; i++) {
                double mean = 0;
                for (int k = 0; k < c; k++) {
                    mean += x[(b * c + k) * pos + i];
                }
                mean /= c;
                double var = 0;
                for (int k = 0; k < c; k++) {
                    double d = x[(b * c + k) * pos + i] - mean;
                    var += d * d;
                }
                var /= c;
                for (int k = 0; k < c; k++) {
                    int at = (b * c + k) * pos + i;
                    y[at] = (x[at] - mean) / Math.sqrt(var + eps) * gamma[k] + beta[k];
                }
            }
        }
        return y;
    }

    private double[] lrn(double[] x, Shape s, Layer.LocalResponseNorm l) {
        int c = channels(s);
        int pos = positions(s);
        double[] y = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < c; k++) {
                for (int i = 0; i < pos; i++) {
                    double sum = 0;
                    for (int j = k - l.size() / 2; j <= k + (l.size() - 1) / 2; j++) {
                        if (j >= 0 && j < c) {
                            double value = x[(b * c + j) * pos + i];
                            sum += value * value;
                        }
                    }
                    int at = (b * c + k) * pos + i;
                    y[at] = x[at] / Math.pow(l.k() + l.alpha() / l.size() * sum, l.beta());
                }
            }
        }
        return y;
    }

    private static double[] activation(double[] x, Layer.Activation a) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            y[i] = switch (a.function()) {
                case NONE -> v;
                case RELU -> Math.max(v, 0);
                case RELU6 -> Math.min(Math.max(v, 0), 6);
                case LEAKY_RELU -> v > 0 ? v : v * a.slope();
                case TANH -> Math.tanh(v);
                case SIGMOID -> 1 / (1 + Math.exp(-v));
                case SILU -> v / (1 + Math.exp(-v));
                case GELU -> 0.5 * v * (1 + erf(v / Math.sqrt(2)));
                case HARD_SWISH -> v * Math.min(Math.max(v + 3, 0), 6) / 6;
                case HARD_SIGMOID -> Math.min(Math.max(v + 3, 0), 6) / 6;
            };
        }
        return y;
    }

    /** erf by its Taylor series (|x| small) or continued fraction, to float64 precision for the test's range. */
    static double erf(double x) {
        if (Math.abs(x) > 6) {
            return Math.signum(x);
        }
        double sum = 0;
        double term = x;
        for (int k = 0; k < 200; k++) {
            sum += term / (2 * k + 1);
            term *= -x * x / (k + 1);
            if (Math.abs(term) < 1e-18) {
                break;
            }
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    private double[] softmax(double[] x, Shape s) {
        int c = channels(s);
        int pos = positions(s);
        double[] y = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < pos; i++) {
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    sum += Math.exp(x[(b * c + k) * pos + i]);
                }
                for (int k = 0; k < c; k++) {
                    y[(b * c + k) * pos + i] = Math.exp(x[(b * c + k) * pos + i]) / sum;
                }
            }
        }
        return y;
    }

    private double[] subsample(double[] x, Layer.Subsample s, double[] w, double[] bias) {
        Shape in = s.in();
        Shape out = s.out();
        double[] y = new double[n * (int) out.elements()];
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < in.channels(); k++) {
                int plane = b * in.channels() + k;
                for (int oy = 0; oy < out.height(); oy++) {
                    for (int ox = 0; ox < out.width(); ox++) {
                        double sum = 0;
                        for (int ky = 0; ky < s.window().kh(); ky++) {
                            for (int kx = 0; kx < s.window().kw(); kx++) {
                                sum += x[(plane * in.height() + oy * s.window().sh() + ky) * in.width() + ox * s.window().sw() + kx];
                            }
                        }
                        y[(plane * out.height() + oy) * out.width() + ox] = sum * w[k] + bias[k];
                    }
                }
            }
        }
        return y;
    }

    private double[] scale(double[] x, double[] factor, Shape s, boolean perSample) {
        int c = channels(s);
        int pos = positions(s);
        double[] y = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < c; k++) {
                for (int i = 0; i < pos; i++) {
                    y[(b * c + k) * pos + i] = x[(b * c + k) * pos + i] * factor[perSample ? b * c + k : k];
                }
            }
        }
        return y;
    }

    private double[] rbf(double[] x, double[] w, int features, int units) {
        double[] y = new double[n * units];
        for (int b = 0; b < n; b++) {
            for (int u = 0; u < units; u++) {
                double s = 0;
                for (int f = 0; f < features; f++) {
                    double d = x[b * features + f] - w[u * features + f];
                    s += d * d;
                }
                y[b * units + u] = s;
            }
        }
        return y;
    }

    private static double[] add(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }

    private double[] concat(List<double[]> ins, List<Shape> shapes, Shape out) {
        double[] y = new double[n * (int) out.elements()];
        for (int b = 0; b < n; b++) {
            int at = b * (int) out.elements();
            for (int i = 0; i < ins.size(); i++) {
                int size = (int) shapes.get(i).elements();
                System.arraycopy(ins.get(i), b * size, y, at, size);
                at += size;
            }
        }
        return y;
    }

    private double[] split(double[] x, Layer.ChannelSplit s) {
        int positions = s.out().height() * s.out().width();
        int inSize = s.in().channels() * positions;
        int outSize = s.out().channels() * positions;
        double[] y = new double[n * outSize];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < outSize; i++) {
                y[b * outSize + i] = x[b * inSize + s.start() * positions + i];
            }
        }
        return y;
    }

    /** PyTorch's channel_shuffle: view(N, g, C/g, H, W), transpose(1, 2), view(N, C, H, W). */
    private double[] shuffle(double[] x, Layer.ChannelShuffle s) {
        int c = s.shape().channels();
        int g = s.groups();
        int positions = s.shape().height() * s.shape().width();
        double[] y = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int group = 0; group < g; group++) {
                for (int k = 0; k < c / g; k++) {
                    int from = (b * c + group * (c / g) + k) * positions;
                    int to = (b * c + k * g + group) * positions;
                    System.arraycopy(x, from, y, to, positions);
                }
            }
        }
        return y;
    }

    /** out[c, y, x] = in[c, y - offsetY, x - offsetX] inside the input, else zero; written as a gather from the output. */
    private double[] border(double[] x, Layer.Border s) {
        Shape in = s.in();
        Shape out = s.out();
        double[] y = new double[n * (int) out.elements()];
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < out.channels(); c++) {
                for (int i = 0; i < out.height(); i++) {
                    for (int j = 0; j < out.width(); j++) {
                        int si = i - s.offsetY();
                        int sj = j - s.offsetX();
                        if (si >= 0 && si < in.height() && sj >= 0 && sj < in.width()) {
                            y[((b * out.channels() + c) * out.height() + i) * out.width() + j] =
                                    x[((b * in.channels() + c) * in.height() + si) * in.width() + sj];
                        }
                    }
                }
            }
        }
        return y;
    }
}
