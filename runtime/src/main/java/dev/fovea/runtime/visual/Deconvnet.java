package dev.fovea.runtime.visual;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.Reference;
import dev.fovea.runtime.weights.Parameters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Zeiler and Fergus' deconvnet (the seeds' ZFNet lecture): one image runs forward to a chosen layer,
 * recording where each max pooling took its maximum (the switches); then one activation of that layer,
 * all others set to zero, goes back down to pixel space through the same layers in reverse: unpooling
 * to the switches, rectification (ReLU) and transposed filtering with the convolution's own filters.
 * Local response norm and dropout pass the signal unchanged, as in the paper. The network must be a
 * chain of those layers up to the chosen one. Projections only read the recorded forward pass, so several
 * may run at once.
 */
public final class Deconvnet {
    private final List<Layer> chain;
    private final Parameters parameters;
    /** The forward pass: the input and each layer's output, one sample. */
    private final List<float[]> values = new ArrayList<>();
    /** For each max pooling of the chain (by position in it), the input index each output took. */
    private final List<int[]> switches = new ArrayList<>();

    private Deconvnet(List<Layer> chain, Parameters parameters, float[] image) {
        this.chain = chain;
        this.parameters = parameters;
        values.add(image.clone());
        for (Layer layer : chain) {
            float[] x = values.getLast();
            int[] taken = null;
            float[] y = switch (layer) {
                case Layer.Conv2d c -> conv(c, x);
                case Layer.Activation a -> relu(x);
                case Layer.Pool2d p -> {
                    taken = new int[Math.toIntExact(p.out().elements())];
                    yield maxPool(p, x, taken);
                }
                case Layer.LocalResponseNorm n -> lrn(n, x);
                default -> x.clone(); // dropout
            };
            switches.add(taken);
            values.add(y);
        }
    }

    /**
     * Runs {@code image} (one sample of the network's input) forward to {@code layer}.
     *
     * @throws IllegalArgumentException naming the layer that is not a convolution, ReLU, max pooling,
     *     local response norm or dropout, or does not read the layer before it, or an unknown layer
     */
    public static Deconvnet run(NetworkGraph graph, Parameters parameters, float[] image, String layer) {
        if (graph.layers().stream().noneMatch(l -> l.name().equals(layer))) {
            throw new IllegalArgumentException("no layer " + layer + "; layers: " + String.join(", ",
                    graph.layers().stream().map(Layer::name).toList()));
        }
        List<Layer> chain = new ArrayList<>();
        String previous = NetworkGraph.INPUT;
        for (Layer l : graph.layers()) {
            boolean supported = l instanceof Layer.Conv2d c && !c.isPartial()
                    || l instanceof Layer.Activation a && a.function() == Activation.RELU
                    || l instanceof Layer.Pool2d p && p.kind() == PoolKind.MAX
                    || l instanceof Layer.LocalResponseNorm || l instanceof Layer.Dropout;
            if (!supported || !l.inputs().equals(List.of(previous))) {
                throw new IllegalArgumentException("the deconvnet runs through convolutions, ReLUs, max pooling, local response norm"
                        + " and dropout in a chain, but " + l.name() + (supported ? " does not read the layer before it" : " is a "
                        + l.getClass().getSimpleName()) + "; choose a layer before it");
            }
            chain.add(l);
            previous = l.name();
            if (l.name().equals(layer)) {
                break;
            }
        }
        return new Deconvnet(chain, parameters, image);
    }

    /** The chosen layer's output shape. */
    public Shape shape() {
        return chain.getLast().output();
    }

    /** The chosen layer's output for the image: its feature maps. */
    public float[] featureMaps() {
        return values.getLast().clone();
    }

    /** The {@code k} channels whose strongest activation is largest, strongest first. */
    public int[] strongestChannels(int k) {
        Shape s = shape();
        int positions = s.height() * s.width();
        float[] y = values.getLast();
        double[] peak = new double[s.channels()];
        for (int c = 0; c < s.channels(); c++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < positions; i++) {
                max = Math.max(max, y[c * positions + i]);
            }
            peak[c] = max;
        }
        return IntStream.range(0, s.channels()).boxed().sorted(Comparator.comparingDouble((Integer c) -> -peak[c]))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    /** The strongest activation of {@code channel}, alone, projected down to pixel space (the input's shape). */
    public float[] project(int channel) {
        Shape s = shape();
        int positions = s.height() * s.width();
        float[] y = values.getLast();
        int at = channel * positions;
        for (int i = channel * positions; i < (channel + 1) * positions; i++) {
            at = y[i] > y[at] ? i : at;
        }
        float[] signal = new float[y.length];
        signal[at] = y[at];
        for (int i = chain.size() - 1; i >= 0; i--) {
            Layer layer = chain.get(i);
            int[] taken = switches.get(i);
            int inputSize = values.get(i).length;
            signal = switch (layer) {
                case Layer.Conv2d c -> transposedFilter(c, signal);
                case Layer.Activation a -> relu(signal);
                case Layer.Pool2d p -> unpool(signal, taken, inputSize);
                default -> signal; // local response norm and dropout pass it on
            };
        }
        return signal;
    }

    // ---- forward, one sample

    /** out[o, y, x] = bias[o] + sum over the group's inputs i and the window of w[o, i, ky, kx] in[i, ...]. */
    private float[] conv(Layer.Conv2d c, float[] in) {
        Shape is = c.in();
        Shape os = c.out();
        Window w = c.window();
        float[] weight = parameters.get(c.weight());
        float[] bias = c.bias() == null ? null : parameters.get(c.bias());
        int perGroupIn = is.channels() / c.groups();
        int perGroupOut = os.channels() / c.groups();
        float[] out = new float[Math.toIntExact(os.elements())];
        for (int o = 0; o < os.channels(); o++) {
            int g = o / perGroupOut;
            for (int oy = 0; oy < os.height(); oy++) {
                for (int ox = 0; ox < os.width(); ox++) {
                    double sum = bias == null ? 0 : bias[o];
                    for (int i = 0; i < perGroupIn; i++) {
                        for (int ky = 0; ky < w.kh(); ky++) {
                            int y = oy * w.sh() - w.padTop() + ky * w.dh();
                            for (int kx = 0; kx < w.kw(); kx++) {
                                int x = ox * w.sw() - w.padLeft() + kx * w.dw();
                                if (y >= 0 && y < is.height() && x >= 0 && x < is.width()) {
                                    sum += weight[((o * perGroupIn + i) * w.kh() + ky) * w.kw() + kx]
                                            * in[((g * perGroupIn + i) * is.height() + y) * is.width() + x];
                                }
                            }
                        }
                    }
                    out[(o * os.height() + oy) * os.width() + ox] = (float) sum;
                }
            }
        }
        return out;
    }

    private static float[] relu(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(x[i], 0);
        }
        return y;
    }

    /** Max pooling that records, for each output, the input index of its maximum (the first, on ties). */
    private static float[] maxPool(Layer.Pool2d p, float[] in, int[] taken) {
        Shape is = p.in();
        Shape os = p.out();
        Window w = p.window();
        float[] out = new float[taken.length];
        for (int c = 0; c < os.channels(); c++) {
            for (int oy = 0; oy < os.height(); oy++) {
                for (int ox = 0; ox < os.width(); ox++) {
                    int best = -1;
                    for (int ky = 0; ky < w.kh(); ky++) {
                        int y = oy * w.sh() - w.padTop() + ky * w.dh();
                        for (int kx = 0; kx < w.kw(); kx++) {
                            int x = ox * w.sw() - w.padLeft() + kx * w.dw();
                            if (y >= 0 && y < is.height() && x >= 0 && x < is.width()) {
                                int i = (c * is.height() + y) * is.width() + x;
                                best = best < 0 || in[i] > in[best] ? i : best;
                            }
                        }
                    }
                    int o = (c * os.height() + oy) * os.width() + ox;
                    taken[o] = best;
                    out[o] = in[best];
                }
            }
        }
        return out;
    }

    private static float[] lrn(Layer.LocalResponseNorm n, float[] in) {
        float[] out = new float[in.length];
        Shape s = n.shape();
        Reference.localResponseNorm(in, out, 1, s.channels(), s.height() * s.width(), n.size(), n.alpha(), n.beta(), n.k());
        return out;
    }

    // ---- back down to pixels

    /** Each output's signal back to the input position of its maximum; every other position gets nothing. */
    private static float[] unpool(float[] signal, int[] taken, int inputSize) {
        float[] in = new float[inputSize];
        for (int o = 0; o < signal.length; o++) {
            in[taken[o]] += signal[o];
        }
        return in;
    }

    /** The convolution's filters applied transposed: in[i, y, x] = sum over the outputs that read it of w[o, i, ky, kx] signal[o, oy, ox]. */
    private float[] transposedFilter(Layer.Conv2d c, float[] signal) {
        Shape is = c.in();
        Shape os = c.out();
        Window w = c.window();
        float[] weight = parameters.get(c.weight());
        int perGroupIn = is.channels() / c.groups();
        int perGroupOut = os.channels() / c.groups();
        float[] in = new float[Math.toIntExact(is.elements())];
        for (int ic = 0; ic < is.channels(); ic++) {
            int g = ic / perGroupIn;
            int i = ic % perGroupIn;
            for (int y = 0; y < is.height(); y++) {
                for (int x = 0; x < is.width(); x++) {
                    double sum = 0;
                    for (int ky = 0; ky < w.kh(); ky++) {
                        int sy = y + w.padTop() - ky * w.dh();
                        if (sy < 0 || sy % w.sh() != 0 || sy / w.sh() >= os.height()) {
                            continue;
                        }
                        for (int kx = 0; kx < w.kw(); kx++) {
                            int sx = x + w.padLeft() - kx * w.dw();
                            if (sx < 0 || sx % w.sw() != 0 || sx / w.sw() >= os.width()) {
                                continue;
                            }
                            for (int o = g * perGroupOut; o < (g + 1) * perGroupOut; o++) {
                                sum += weight[((o * perGroupIn + i) * w.kh() + ky) * w.kw() + kx]
                                        * signal[(o * os.height() + sy / w.sh()) * os.width() + sx / w.sw()];
                            }
                        }
                    }
                    in[(ic * is.height() + y) * is.width() + x] = (float) sum;
                }
            }
        }
        return in;
    }
}
