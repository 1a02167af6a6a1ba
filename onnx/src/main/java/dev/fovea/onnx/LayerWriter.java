package dev.fovea.onnx;

import dev.fovea.onnx.OnnxGraph.Int;
import dev.fovea.onnx.OnnxGraph.Ints;
import dev.fovea.onnx.OnnxGraph.Real;
import dev.fovea.onnx.OnnxGraph.Text;
import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.weights.Parameters;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes each layer of a network as ONNX nodes whose output carries the layer's name, with the layer's
 * tensors as initializers under their PyTorch names. Most layers are one operator; those ONNX has no
 * operator for are a few (LeNet-5's subsampling and RBF output, channel-wise layer norm, SiLU, a
 * projection shortcut).
 */
final class LayerWriter {
    private final OnnxGraph g;
    private final Parameters parameters;

    LayerWriter(OnnxGraph g, Parameters parameters) {
        this.g = g;
        this.parameters = parameters;
    }

    void write(Layer layer) {
        String name = layer.name();
        String x = layer.inputs().getFirst();
        g.fresh(name);
        switch (layer) {
            case Layer.Conv2d c -> conv(name, x, c.in().channels(), c.out().channels(), c.window(), c.groups(), convWeight(c), c.bias());
            case Layer.ConvTranspose2d t -> convTranspose(t);
            case Layer.Dense d when d.pointwise() -> conv(name, x, d.in().channels(), d.out().channels(), Window.kernel(1), 1,
                    weight(d.weight(), d.out().channels(), d.in().channels(), 1, 1), d.bias());
            case Layer.Dense d -> dense(d);
            case Layer.Pool2d p -> pool(p);
            case Layer.AdaptiveAvgPool2d a -> adaptive(a);
            case Layer.BatchNorm n -> batchNorm(name, x, n.prefix(), n.eps(), n.shape().channels());
            case Layer.LayerNorm n -> layerNorm(n);
            case Layer.LocalResponseNorm n -> g.node("LRN", name, List.of(x), new Int("size", n.size()), new Real("alpha", (float) n.alpha()),
                    new Real("beta", (float) n.beta()), new Real("bias", (float) n.k()));
            case Layer.Activation a -> activation(name, x, a.function(), a.slope());
            case Layer.Softmax s -> g.node("Softmax", name, List.of(x), new Int("axis", 1));
            case Layer.Dropout d -> g.node("Identity", name, List.of(x)); // inference: dropout and drop path pass everything
            case Layer.Border s -> border(s);
            case Layer.ChannelSplit s -> g.node("Slice", name, List.of(x, g.longs(name + ".starts", s.start()),
                    g.longs(name + ".ends", s.start() + s.out().channels()), g.longs("fovea.axes.channels", 1)));
            case Layer.ChannelShuffle s -> channelShuffle(s);
            case Layer.Flatten f -> g.node("Flatten", name, List.of(x), new Int("axis", 1));
            case Layer.Identity i -> g.node("Identity", name, List.of(x));
            case Layer.Subsample s -> subsample(s);
            case Layer.Multiply m -> g.node("Mul", name, List.of(x, g.scalar(name + ".factor", (float) m.factor())));
            case Layer.LayerScale s -> g.node("Mul", name, List.of(x, weight(s.tensor(), perChannel(s.shape()))));
            case Layer.EuclideanRbf r -> euclideanRbf(r);
            case Layer.Add a -> g.node("Add", name, List.of(x, a.shortcut()));
            case Layer.ProjectedAdd p -> projectedAdd(p);
            case Layer.Concat c -> g.node("Concat", name, c.inputs(), new Int("axis", 1));
            case Layer.Scale s -> g.node("Mul", name, List.of(s.input(), s.gates()));
        }
    }

    private void conv(String name, String x, int in, int out, Window w, int groups, String weight, String bias) {
        List<String> inputs = new ArrayList<>(List.of(x, weight));
        if (bias != null) {
            inputs.add(weight(bias, out));
        }
        g.node("Conv", name, inputs, new Ints("kernel_shape", w.kh(), w.kw()), new Ints("strides", w.sh(), w.sw()),
                new Ints("pads", w.padTop(), w.padLeft(), w.padBottom(), w.padRight()), new Ints("dilations", w.dh(), w.dw()),
                new Int("group", groups));
    }

    /** A convolution's weight; LeNet-5's partial table as the full tensor with zeros where no connection runs. */
    private String convWeight(Layer.Conv2d c) {
        int out = c.out().channels();
        int in = c.in().channels() / c.groups();
        Window w = c.window();
        if (!c.isPartial()) {
            return weight(c.weight(), out, in, w.kh(), w.kw());
        }
        float[] packed = parameters.get(c.weight());
        int taps = w.kh() * w.kw();
        float[] full = new float[out * in * taps];
        int next = 0;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                if (c.connections().get(i).charAt(o) == 'X') {
                    System.arraycopy(packed, next, full, (o * in + i) * taps, taps);
                    next += taps;
                }
            }
        }
        return g.floats(c.weight(), full, out, in, w.kh(), w.kw());
    }

    /** The model's tensor {@code name} as an initializer of shape {@code dims}. */
    private String weight(String name, long... dims) {
        return g.floats(name, parameters.get(name), dims);
    }

    private void convTranspose(Layer.ConvTranspose2d t) {
        Window w = t.window();
        int expectedH = (t.in().height() - 1) * w.sh() - 2 * w.padTop() + w.dh() * (w.kh() - 1) + 1;
        int expectedW = (t.in().width() - 1) * w.sw() - 2 * w.padLeft() + w.dw() * (w.kw() - 1) + 1;
        List<String> inputs = new ArrayList<>(List.of(t.input(),
                weight(t.weight(), t.in().channels(), t.out().channels() / t.groups(), w.kh(), w.kw())));
        if (t.bias() != null) {
            inputs.add(weight(t.bias(), t.out().channels()));
        }
        g.node("ConvTranspose", t.name(), inputs, new Ints("kernel_shape", w.kh(), w.kw()), new Ints("strides", w.sh(), w.sw()),
                new Ints("pads", w.padTop(), w.padLeft(), w.padTop(), w.padLeft()), new Ints("dilations", w.dh(), w.dw()),
                new Ints("output_padding", t.out().height() - expectedH, t.out().width() - expectedW), new Int("group", t.groups()));
    }

    private void dense(Layer.Dense d) {
        String x = d.input();
        if (d.in().rank() > 1) {
            x = g.step("Flatten", d.name() + "/flatten", List.of(x), new Int("axis", 1));
        }
        int units = Math.toIntExact(d.out().elements());
        int features = Math.toIntExact(d.in().elements());
        List<String> inputs = new ArrayList<>(List.of(x, weight(d.weight(), units, features)));
        if (d.bias() != null) {
            inputs.add(weight(d.bias(), units));
        }
        g.node("Gemm", d.name(), inputs, new Int("transB", 1));
    }

    private void pool(Layer.Pool2d p) {
        Window w = p.window();
        List<OnnxGraph.Attribute> attributes = new ArrayList<>(List.of(new Ints("kernel_shape", w.kh(), w.kw()),
                new Ints("strides", w.sh(), w.sw()), new Ints("pads", w.padTop(), w.padLeft(), w.padBottom(), w.padRight()),
                new Int("ceil_mode", p.ceilMode() ? 1 : 0)));
        if (p.kind() == PoolKind.MAX) {
            attributes.add(new Ints("dilations", w.dh(), w.dw()));
        } else {
            attributes.add(new Int("count_include_pad", p.countIncludePad() ? 1 : 0));
        }
        g.node(p.kind() == PoolKind.MAX ? "MaxPool" : "AveragePool", p.name(), List.of(p.input()), attributes.toArray(OnnxGraph.Attribute[]::new));
    }

    /** Global average pooling, or PyTorch's adaptive windows where they are all alike (the input a multiple of the output). */
    private void adaptive(Layer.AdaptiveAvgPool2d a) {
        if (a.out().height() == 1 && a.out().width() == 1) {
            g.node("GlobalAveragePool", a.name(), List.of(a.input()));
            return;
        }
        int kh = a.in().height() / a.out().height();
        int kw = a.in().width() / a.out().width();
        if (kh * a.out().height() != a.in().height() || kw * a.out().width() != a.in().width()) {
            throw new UnsupportedOperationException(a.name() + ": adaptive average pooling from " + a.in().height() + "x" + a.in().width()
                    + " to " + a.out().height() + "x" + a.out().width() + " has windows of different sizes, which no ONNX operator computes");
        }
        g.node("AveragePool", a.name(), List.of(a.input()), new Ints("kernel_shape", kh, kw), new Ints("strides", kh, kw));
    }

    private void batchNorm(String name, String x, String prefix, double eps, int channels) {
        g.node("BatchNormalization", name, List.of(x, affine(prefix + ".weight", channels, 1), affine(prefix + ".bias", channels, 0),
                weight(prefix + ".running_mean", channels), weight(prefix + ".running_var", channels)), new Real("epsilon", (float) eps));
    }

    /** A norm's scale or shift, or ones or zeros where the norm has none. */
    private String affine(String name, int channels, float absent) {
        if (parameters.has(name)) {
            return weight(name, channels);
        }
        float[] constant = new float[channels];
        java.util.Arrays.fill(constant, absent);
        return g.floats(name, constant, channels);
    }

    /**
     * Layer norm over the channels at every position (ConvNeXt's channels-first norm), written out:
     * (x - mean) / sqrt(var + eps) * weight + bias, the statistics over axis 1.
     */
    /** Zero padding as Pad; cropping (negative offsets) as Slice of the rows and columns kept. */
    private void border(Layer.Border s) {
        Shape in = s.in();
        Shape out = s.out();
        if (s.offsetY() >= 0 && s.offsetX() >= 0) {
            int bottom = out.height() - in.height() - s.offsetY();
            int right = out.width() - in.width() - s.offsetX();
            g.node("Pad", s.name(), List.of(s.input(), g.longs(s.name() + ".pads", 0, 0, s.offsetY(), s.offsetX(), 0, 0, bottom, right)));
        } else {
            g.node("Slice", s.name(), List.of(s.input(), g.longs(s.name() + ".starts", -s.offsetY(), -s.offsetX()),
                    g.longs(s.name() + ".ends", -s.offsetY() + out.height(), -s.offsetX() + out.width()), g.longs("fovea.axes.spatial", 2, 3)));
        }
    }

    /** view(g, C/g), transpose, flatten: Reshape, Transpose, Reshape. */
    private void channelShuffle(Layer.ChannelShuffle s) {
        Shape shape = s.shape();
        int groups = s.groups();
        String grouped = g.step("Reshape", s.name() + "/groups", List.of(s.input(),
                g.longs(s.name() + ".grouped", 0, groups, shape.channels() / groups, shape.height(), shape.width())));
        String swapped = g.step("Transpose", s.name() + "/transpose", List.of(grouped), new Ints("perm", 0, 2, 1, 3, 4));
        g.node("Reshape", s.name(), List.of(swapped, g.longs(s.name() + ".shape", 0, shape.channels(), shape.height(), shape.width())));
    }

    private void layerNorm(Layer.LayerNorm n) {
        String name = n.name();
        String axes = g.longs("fovea.axes.channels", 1);
        String mean = g.step("ReduceMean", name + "/mean", List.of(n.input(), axes), new Int("keepdims", 1));
        String centred = g.step("Sub", name + "/centred", List.of(n.input(), mean));
        String squares = g.step("Mul", name + "/squares", List.of(centred, centred));
        String variance = g.step("ReduceMean", name + "/variance", List.of(squares, axes), new Int("keepdims", 1));
        String shifted = g.step("Add", name + "/variance_eps", List.of(variance, g.scalar(name + ".eps", (float) n.eps())));
        String deviation = g.step("Sqrt", name + "/std", List.of(shifted));
        String normed = g.step("Div", name + "/normed", List.of(centred, deviation));
        long[] dims = perChannel(n.shape());
        String scaled = g.step("Mul", name + "/scaled", List.of(normed, weight(n.prefix() + ".weight", dims)));
        g.node("Add", name, List.of(scaled, weight(n.prefix() + ".bias", dims)));
    }

    /** The dimensions of a per-channel tensor that broadcasts over a sample of {@code shape}. */
    private static long[] perChannel(Shape shape) {
        return shape.isSpatial() ? new long[] {shape.channels(), 1, 1} : new long[] {shape.channels()};
    }

    private void activation(String name, String x, dev.fovea.runtime.kernels.Activation f, double slope) {
        switch (f) {
            case NONE -> g.node("Identity", name, List.of(x));
            case RELU -> g.node("Relu", name, List.of(x));
            case RELU6 -> g.node("Clip", name, List.of(x, g.scalar("fovea.zero", 0), g.scalar("fovea.six", 6)));
            case LEAKY_RELU -> g.node("LeakyRelu", name, List.of(x), new Real("alpha", (float) slope));
            case TANH -> g.node("Tanh", name, List.of(x));
            case SIGMOID -> g.node("Sigmoid", name, List.of(x));
            case SILU -> g.node("Mul", name, List.of(x, g.step("Sigmoid", name + "/sigmoid", List.of(x))));
            case GELU -> g.node("Gelu", name, List.of(x), new Text("approximate", "none"));
            case HARD_SWISH -> g.node("HardSwish", name, List.of(x));
            case HARD_SIGMOID -> g.node("HardSigmoid", name, List.of(x), new Real("alpha", 1f / 6), new Real("beta", 0.5f));
        }
    }

    /** LeNet-5's subsampling: the window's sum (its mean times its size) times a weight, plus a bias, per channel. */
    private void subsample(Layer.Subsample s) {
        Window w = s.window();
        String mean = g.step("AveragePool", s.name() + "/mean", List.of(s.input()), new Ints("kernel_shape", w.kh(), w.kw()),
                new Ints("strides", w.sh(), w.sw()));
        String sum = g.step("Mul", s.name() + "/sum", List.of(mean, g.scalar(s.name() + ".window_size", w.kh() * w.kw())));
        long[] dims = perChannel(s.out());
        String weighted = g.step("Mul", s.name() + "/weighted", List.of(sum, weight(s.prefix() + ".weight", dims)));
        g.node("Add", s.name(), List.of(weighted, weight(s.prefix() + ".bias", dims)));
    }

    /** LeNet-5's RBF output, sum over i of (x_i - w_ji)^2, as |x|^2 - 2 x.w_j + |w_j|^2. */
    private void euclideanRbf(Layer.EuclideanRbf r) {
        int units = Math.toIntExact(r.out().elements());
        int features = Math.toIntExact(r.in().elements());
        float[] w = parameters.get(r.weight());
        float[] norms = new float[units];
        for (int j = 0; j < units; j++) {
            double sum = 0;
            for (int i = 0; i < features; i++) {
                sum += (double) w[j * features + i] * w[j * features + i];
            }
            norms[j] = (float) sum;
        }
        String x = r.input();
        String squares = g.step("ReduceSumSquare", r.name() + "/input_norm", List.of(x, g.longs("fovea.axes.channels", 1)),
                new Int("keepdims", 1));
        String products = g.step("Gemm", r.name() + "/products", List.of(x, weight(r.weight(), units, features), g.floats(r.weight() + ".norms", norms, units)),
                new Int("transB", 1), new Real("alpha", -2));
        g.node("Add", r.name(), List.of(products, squares));
    }

    /** input + batchNorm(conv1x1(shortcut)), torchvision's downsample: the convolution {@code prefix.0}, the norm {@code prefix.1}. */
    private void projectedAdd(Layer.ProjectedAdd p) {
        String projected = g.fresh(p.name() + "/projection");
        conv(projected, p.shortcut(), p.shortcutShape().channels(), p.out().channels(), Window.kernel(1).stride(p.stride()), 1,
                weight(p.prefix() + ".0.weight", p.out().channels(), p.shortcutShape().channels(), 1, 1), null);
        String normed = g.fresh(p.name() + "/projection/norm");
        batchNorm(normed, projected, p.norm(), 1e-5, p.out().channels());
        g.node("Add", p.name(), List.of(p.input(), normed));
    }
}
