package dev.fovea.onnx.importer;

import dev.fovea.runtime.weights.LoadedTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the file's operators into DSL layers, one by one, following each tensor's shape (one sample's,
 * the batch left out). Operators that compute nothing at inference (Identity, Dropout, a concatenation of
 * one tensor, zero padding) become aliases; a sigmoid that only gates its own input becomes SiLU. What the
 * DSL cannot express is collected, so that one error names every unsupported operator of the file.
 */
final class OperatorTranslator {
    /** The layers of the network in the file's order, and the tensor that is the network's output. */
    record Translation(List<Step> steps, String output, Map<String, int[]> shapes) {}

    /** The operators {@link #translate(OnnxNode, List)} handles (some only with certain attributes). */
    private static final Set<String> KNOWN = Set.of("Identity", "Dropout", "Conv", "ConvTranspose", "MaxPool", "AveragePool",
            "GlobalAveragePool", "Flatten", "Reshape", "Gemm", "BatchNormalization", "Relu", "Sigmoid", "Tanh", "HardSwish", "Gelu",
            "HardSigmoid", "LeakyRelu", "Clip", "Softmax", "LRN", "Add", "Mul", "Concat", "Pad", "Transpose", "ReduceMean", "Div",
            "MatMul");

    /** Operators that read channels-last data (after a Transpose to N x H x W x C) the same way as channels-first. */
    private static final Set<String> LAYOUT_FREE = Set.of("Identity", "Dropout", "Relu", "Sigmoid", "Tanh", "HardSwish", "Gelu",
            "HardSigmoid", "LeakyRelu", "Clip");

    private final OnnxModel model;
    private final Map<String, int[]> shapes = new HashMap<>();
    private final Map<String, String> aliases = new HashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private final Map<String, List<String>> unsupported = new LinkedHashMap<>();
    private final Patterns patterns;
    /** The padding of a Pad node folded into the window of the layer that reads it, by the Pad's output. */
    private final Map<String, Value> folded = new HashMap<>();
    /** Nodes a pattern already turned into a layer. */
    private final Set<OnnxNode> fused = new HashSet<>();
    /** Tensors (by the file's names) held channels-last: written by a Transpose to N x H x W x C, or computed from one. */
    private final Set<String> channelsLast = new HashSet<>();
    /** Whether the node being translated reads channels-last data: its outputs are channels-last too. */
    private boolean readsChannelsLast;

    OperatorTranslator(OnnxModel model) {
        this.model = model;
        this.patterns = new Patterns(model);
    }

    static Translation translate(OnnxModel model) {
        return new OperatorTranslator(model).run();
    }

    private Translation run() {
        shapes.put(model.input(), model.sample());
        Map<OnnxNode, String> silu = siluMuls();
        for (OnnxNode node : live()) {
            if (fused.contains(node)) {
                continue;
            }
            if (node.opType().equals("Sigmoid") && silu.containsValue(node.output())) {
                continue; // computed by the SiLU below
            }
            if (silu.containsKey(node)) {
                String x = resolve(node.inputs().stream().filter(i -> !i.equals(silu.get(node))).findFirst().orElseThrow());
                if (shapes.containsKey(x)) {
                    add(node, ImportedLayer.of("SiLU").build(), x, shapes.get(x));
                }
                continue;
            }
            List<String> data = node.inputs().stream().filter(i -> !i.isEmpty() && !model.constants().containsKey(i)).map(this::resolve).toList();
            if (data.stream().anyMatch(d -> !shapes.containsKey(d))) {
                // an input no supported operator computed: its producer is reported, and this node too if it is unknown
                if (!KNOWN.contains(node.opType())) {
                    unsupported(node, null);
                }
                continue;
            }
            translate(node, data);
        }
        if (!unsupported.isEmpty()) {
            throw new ImportException(message());
        }
        return new Translation(List.copyOf(steps), resolve(model.output()), shapes);
    }

    /** Every unsupported operator (and setting), with up to three of its nodes, in one line. */
    private String message() {
        List<String> ops = new ArrayList<>();
        unsupported.forEach((op, nodes) -> ops.add(op + " (" + nodes.size() + (nodes.size() == 1 ? " node: " : " nodes: ")
                + String.join(", ", nodes.subList(0, Math.min(3, nodes.size()))) + (nodes.size() > 3 ? ", ..." : "") + ")"));
        return model.file() + ": cannot import: operators the Fovea DSL cannot express: " + String.join("; ", ops);
    }

    /** The nodes the output depends on, in the file's order: the rest (an unused auxiliary head) is left out. */
    private List<OnnxNode> live() {
        Map<String, OnnxNode> producers = new HashMap<>();
        model.nodes().forEach(n -> n.outputs().forEach(o -> producers.put(o, n)));
        Set<OnnxNode> needed = new HashSet<>();
        List<String> pending = new ArrayList<>(List.of(model.output()));
        while (!pending.isEmpty()) {
            OnnxNode node = producers.get(pending.removeLast());
            if (node != null && needed.add(node)) {
                node.inputs().stream().filter(i -> !i.isEmpty()).forEach(pending::add);
            }
        }
        return model.nodes().stream().filter(needed::contains).toList();
    }

    /** Mul nodes that compute x * sigmoid(x), with the sigmoid's output they read: SiLU, as PyTorch exports it. */
    private Map<OnnxNode, String> siluMuls() {
        Map<String, List<OnnxNode>> readers = new HashMap<>();
        model.nodes().forEach(n -> n.inputs().forEach(i -> readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n)));
        Map<OnnxNode, String> muls = new HashMap<>();
        for (OnnxNode n : model.nodes()) {
            if (n.opType().equals("Sigmoid") && !n.output().equals(model.output())) {
                List<OnnxNode> r = readers.getOrDefault(n.output(), List.of());
                OnnxNode mul = r.size() == 1 ? r.getFirst() : null;
                if (mul != null && mul.opType().equals("Mul") && mul.inputs().size() == 2 && mul.inputs().contains(n.inputs().getFirst())
                        && !n.inputs().getFirst().equals(n.output())) {
                    muls.put(mul, n.output());
                }
            }
        }
        return muls;
    }

    private String resolve(String tensor) {
        String t = tensor;
        while (aliases.containsKey(t)) {
            t = aliases.get(t);
        }
        return t;
    }

    private void alias(OnnxNode node, String input) {
        aliases.put(node.output(), input);
        if (readsChannelsLast) {
            channelsLast.add(node.output());
        }
    }

    private void unsupported(OnnxNode node, String why) {
        unsupported.computeIfAbsent(why == null ? node.opType() : node.opType() + " " + why, k -> new ArrayList<>()).add(node.name());
    }

    private void add(OnnxNode node, ImportedLayer layer, String input, int[] shape) {
        add(node.name(), node.opType(), layer, input, node.output(), shape);
    }

    private void add(String nodeName, String opType, ImportedLayer layer, String input, String output, int[] shape) {
        steps.add(new Step(nodeName, opType, layer, input, output));
        shapes.put(output, shape);
        if (readsChannelsLast) {
            channelsLast.add(output);
        }
    }

    private void translate(OnnxNode node, List<String> data) {
        if (node.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty()) && !node.opType().equals("Dropout")) {
            unsupported(node, "with more than one output");
            return;
        }
        if (data.isEmpty()) {
            unsupported(node, "of constants only");
            return;
        }
        String x = data.getFirst();
        int[] in = shapes.get(x);
        readsChannelsLast = node.inputs().stream().anyMatch(channelsLast::contains);
        if (readsChannelsLast && !LAYOUT_FREE.contains(node.opType())) {
            if (!channelsLast(node, x, in)) {
                unsupported(node, "on channels-last data (after a Transpose), other than as a layer norm, GELU or dense layer");
            }
            return;
        }
        switch (node.opType()) {
            case "Identity", "Dropout" -> alias(node, x);
            case "Conv" -> conv(node, x, in);
            case "ConvTranspose" -> convTranspose(node, x, in);
            case "MaxPool", "AveragePool" -> pool(node, x, in);
            case "GlobalAveragePool" -> add(node, ImportedLayer.of("GlobalAvgPool").build(), x, new int[] {in[0], 1, 1});
            case "Flatten" -> flatten(node, x, in, node.integer("axis", 1) == 1);
            case "Reshape" -> flatten(node, x, in, flattens(node));
            case "Gemm" -> gemm(node, x, in);
            case "BatchNormalization" -> batchNorm(node, x, in);
            case "Relu" -> activation(node, x, in, "ReLU");
            case "Sigmoid" -> activation(node, x, in, "Sigmoid");
            case "Tanh" -> activation(node, x, in, "Tanh");
            case "HardSwish" -> activation(node, x, in, "HardSwish");
            case "Gelu" -> {
                if (node.text("approximate", "none").equals("none")) {
                    activation(node, x, in, "GELU");
                } else {
                    unsupported(node, "with the tanh approximation");
                }
            }
            case "HardSigmoid" -> {
                if (Math.abs(node.real("alpha", 0.2f) - 1 / 6.0) < 1e-6 && node.real("beta", 0.5f) == 0.5f) {
                    activation(node, x, in, "HardSigmoid");
                } else {
                    unsupported(node, "other than PyTorch's (alpha 1/6, beta 0.5)");
                }
            }
            case "LeakyRelu" -> add(node, ImportedLayer.of("LeakyReLU").attr("slope", Value.Real.ofFloat(node.real("alpha", 0.01f)),
                    new Value.Real(0.01)).build(), x, in);
            case "Clip" -> clip(node, x, in);
            case "Softmax" -> softmax(node, x, in);
            case "LRN" -> add(node, ImportedLayer.of("LocalResponseNorm")
                    .attr("size", new Value.Int((int) node.integer("size", 5)), new Value.Int(5))
                    .attr("alpha", Value.Real.ofFloat(node.real("alpha", 1e-4f)), new Value.Real(1e-4))
                    .attr("beta", Value.Real.ofFloat(node.real("beta", 0.75f)), new Value.Real(0.75))
                    .attr("k", Value.Real.ofFloat(node.real("bias", 1f)), new Value.Real(2.0)).build(), x, in);
            case "Add" -> add(node, data, in);
            case "Mul" -> {
                if (!gelu(node, x, in)) {
                    mul(node, data, in);
                }
            }
            case "Concat" -> concat(node, data, in);
            case "Pad" -> pad(node, x);
            case "Transpose" -> {
                if (in.length == 3 && Arrays.equals(node.integers("perm"), new long[] {0, 2, 3, 1})) {
                    aliases.put(node.output(), x); // the same values, channels-last: only layer norm, GELU and dense layers may read them
                    channelsLast.add(node.output());
                } else {
                    unsupported(node, "other than to channels-last (N x H x W x C)");
                }
            }
            case "ReduceMean" -> {
                if (!layerNorm(node, x, in, 1)) {
                    unsupported(node, "other than in a layer norm over the channels");
                }
            }
            case "Div" -> {
                if (!gelu(node, x, in)) {
                    unsupported(node, "other than in GELU");
                }
            }
            case "MatMul" -> {
                if (in.length != 1 || !dense(node, x, in, false)) {
                    unsupported(node, "other than features x a stored weight");
                }
            }
            default -> unsupported(node, null);
        }
    }

    /** An operator on channels-last data: the Transpose back, or the start of a layer norm, GELU or pointwise dense layer. */
    private boolean channelsLast(OnnxNode node, String x, int[] in) {
        return switch (node.opType()) {
            case "Transpose" -> {
                boolean back = Arrays.equals(node.integers("perm"), new long[] {0, 3, 1, 2});
                if (back) {
                    aliases.put(node.output(), x);
                }
                yield back;
            }
            case "ReduceMean" -> layerNorm(node, x, in, -1);
            case "Div", "Mul" -> gelu(node, x, in);
            case "MatMul" -> in.length == 3 && dense(node, x, in, true);
            default -> false;
        };
    }

    /** A layer norm over the channels, axis 1 of N x C x H x W data or -1 of channels-last data, from its first node. */
    private boolean layerNorm(OnnxNode mean, String x, int[] in, long channelAxis) {
        Optional<Patterns.LayerNormMatch> found = patterns.layerNorm(mean);
        if (found.isEmpty() || in.length != 3) {
            return false;
        }
        Patterns.LayerNormMatch m = found.get();
        boolean overChannels = m.axis() == channelAxis || m.axis() == (channelAxis == 1 ? -3 : 3);
        if (!overChannels || m.weight().size() != in[0]) {
            return false;
        }
        fused.addAll(m.match().nodes());
        add(mean.name(), "LayerNormalization", ImportedLayer.of("LayerNorm").attr("eps", Value.Real.ofFloat(m.eps()), new Value.Real(1e-6))
                .weight("weight", new LoadedTensor(new int[] {in[0]}, m.weight().floats()))
                .weight("bias", new LoadedTensor(new int[] {in[0]}, m.bias().floats())).build(), x, m.match().output(), in);
        return true;
    }

    private boolean gelu(OnnxNode first, String x, int[] in) {
        Optional<Patterns.Match> found = patterns.gelu(first);
        found.ifPresent(m -> {
            fused.addAll(m.nodes());
            add(first.name(), "Gelu", ImportedLayer.of("GELU").build(), x, m.output(), in);
        });
        return found.isPresent();
    }

    /** A dense layer from MatMul (and the Add of its bias): on features, or pointwise on channels-last data. */
    private boolean dense(OnnxNode matMul, String x, int[] in, boolean pointwise) {
        Optional<Patterns.DenseMatch> found = patterns.dense(matMul);
        if (found.isEmpty() || found.get().weight().dims()[0] != in[0]) {
            return false;
        }
        Patterns.DenseMatch m = found.get();
        int features = m.weight().dims()[0];
        int units = m.weight().dims()[1];
        float[] w = new float[units * features];
        for (int o = 0; o < units; o++) {
            for (int i = 0; i < features; i++) {
                w[o * features + i] = m.weight().floats()[i * units + o];
            }
        }
        ImportedLayer.Builder layer = ImportedLayer.of("Dense").attr("units", new Value.Int(units))
                .attr("bias", new Value.Bool(m.bias() != null), new Value.Bool(true))
                .attr("pointwise", new Value.Bool(pointwise), new Value.Bool(false))
                .weight("weight", new LoadedTensor(new int[] {units, features}, w));
        if (m.bias() != null) {
            layer.weight("bias", new LoadedTensor(new int[] {units}, m.bias().floats()));
        }
        fused.addAll(m.match().nodes());
        int[] out = in.clone();
        out[0] = units;
        add(matMul.name(), "MatMul", layer.build(), x, m.match().output(), out);
        return true;
    }

    private LoadedTensor weight(OnnxNode node, int index) {
        String name = node.input(index);
        if (name == null) {
            return null;
        }
        Constant c = model.constants().get(name);
        if (c == null || c.floats() == null) {
            unsupported(node, "whose weights are computed rather than stored");
            return null;
        }
        return c.tensor();
    }

    /** The window's padding as the DSL writes it (one value or {h, w}); null, with a problem noted, when it is asymmetric. */
    private Value padding(OnnxNode node, int[] in, long[] kernel, long[] stride, long[] dilation) {
        Value before = folded.get(node.inputs().getFirst());
        if (before != null) {
            return before; // a Pad just before, folded in
        }
        String auto = node.text("auto_pad", "NOTSET");
        long[] pads = node.integers("pads", 0, 0, 0, 0);
        if (auto.startsWith("SAME")) {
            pads = new long[4];
            for (int d = 0; d < 2; d++) {
                long size = in[d + 1];
                long out = (size + stride[d] - 1) / stride[d];
                long total = Math.max(0, (out - 1) * stride[d] + (kernel[d] - 1) * dilation[d] + 1 - size);
                pads[d] = auto.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                pads[d + 2] = total - pads[d];
            }
        } else if (auto.equals("VALID")) {
            pads = new long[4];
        }
        if (pads.length != 4 || pads[0] != pads[2] || pads[1] != pads[3]) {
            unsupported(node, "with asymmetric padding");
            return null;
        }
        return Value.pair(pads[0], pads[1]);
    }

    private static int outputSize(long in, long kernel, long stride, long pad, long dilation, boolean ceil) {
        long span = in + 2 * pad - dilation * (kernel - 1) - 1;
        long out = (ceil ? Math.ceilDiv(span, stride) : Math.floorDiv(span, stride)) + 1;
        if (ceil && (out - 1) * stride >= in + pad) {
            out--; // PyTorch's rule: the last window starts inside the input or its left padding
        }
        return Math.toIntExact(out);
    }

    private boolean spatial(OnnxNode node, int[] in) {
        if (in.length != 3) {
            unsupported(node, "on a tensor that is not channels x height x width");
            return false;
        }
        return true;
    }

    private void conv(OnnxNode node, String x, int[] in) {
        LoadedTensor w = weight(node, 1);
        if (w == null || !spatial(node, in)) {
            return;
        }
        if (w.shape().length != 4) {
            unsupported(node, "other than 2-d");
            return;
        }
        LoadedTensor b = weight(node, 2);
        long[] kernel = {w.shape()[2], w.shape()[3]};
        long[] stride = node.integers("strides", 1, 1);
        long[] dilation = node.integers("dilations", 1, 1);
        Value padding = padding(node, in, kernel, stride, dilation);
        if (padding == null) {
            return;
        }
        int groups = (int) node.integer("group", 1);
        int filters = w.shape()[0];
        boolean depthwise = groups > 1 && groups == in[0] && w.shape()[1] == 1;
        ImportedLayer.Builder layer = ImportedLayer.of(depthwise ? "DepthwiseConv2d" : "Conv2d");
        if (!depthwise) {
            layer.attr("filters", new Value.Int(filters));
        }
        layer.attr("kernel", Value.pair(kernel[0], kernel[1]))
                .attr("stride", Value.pair(stride[0], stride[1]), new Value.Int(1))
                .attr("padding", padding, new Value.Int(0))
                .attr("dilation", Value.pair(dilation[0], dilation[1]), new Value.Int(1));
        if (depthwise) {
            layer.attr("multiplier", new Value.Int(filters / groups), new Value.Int(1));
        } else {
            layer.attr("groups", new Value.Int(groups), new Value.Int(1));
        }
        layer.attr("bias", new Value.Bool(b != null), new Value.Bool(true)).weight("weight", w);
        if (b != null) {
            layer.weight("bias", b);
        }
        int[] pad = pads(padding);
        add(node, layer.build(), x, new int[] {filters, outputSize(in[1], kernel[0], stride[0], pad[0], dilation[0], false),
                outputSize(in[2], kernel[1], stride[1], pad[1], dilation[1], false)});
    }

    private static int[] pads(Value padding) {
        return padding instanceof Value.Pair p ? new int[] {p.h(), p.w()} : new int[] {((Value.Int) padding).value(), ((Value.Int) padding).value()};
    }

    private void convTranspose(OnnxNode node, String x, int[] in) {
        LoadedTensor w = weight(node, 1);
        if (w == null || !spatial(node, in)) {
            return;
        }
        if (node.has("output_shape") || node.has("auto_pad") && !node.text("auto_pad", "").equals("NOTSET")) {
            unsupported(node, "with output_shape or auto_pad (give pads and output_padding)");
            return;
        }
        LoadedTensor b = weight(node, 2);
        long[] kernel = {w.shape()[2], w.shape()[3]};
        long[] stride = node.integers("strides", 1, 1);
        long[] dilation = node.integers("dilations", 1, 1);
        long[] outputPadding = node.integers("output_padding", 0, 0);
        Value padding = padding(node, in, kernel, stride, dilation);
        if (padding == null) {
            return;
        }
        int groups = (int) node.integer("group", 1);
        int filters = w.shape()[1] * groups;
        int[] pad = pads(padding);
        ImportedLayer.Builder layer = ImportedLayer.of("ConvTranspose2d").attr("filters", new Value.Int(filters))
                .attr("kernel", Value.pair(kernel[0], kernel[1]))
                .attr("stride", Value.pair(stride[0], stride[1]), new Value.Int(1))
                .attr("padding", padding, new Value.Int(0))
                .attr("outputPadding", Value.pair(outputPadding[0], outputPadding[1]), new Value.Int(0))
                .attr("dilation", Value.pair(dilation[0], dilation[1]), new Value.Int(1))
                .attr("groups", new Value.Int(groups), new Value.Int(1))
                .attr("bias", new Value.Bool(b != null), new Value.Bool(true)).weight("weight", w);
        if (b != null) {
            layer.weight("bias", b);
        }
        int[] out = new int[3];
        out[0] = filters;
        for (int d = 0; d < 2; d++) {
            out[d + 1] = Math.toIntExact((in[d + 1] - 1) * stride[d] - 2L * pad[d] + dilation[d] * (kernel[d] - 1) + outputPadding[d] + 1);
        }
        add(node, layer.build(), x, out);
    }

    private void pool(OnnxNode node, String x, int[] in) {
        if (!spatial(node, in)) {
            return;
        }
        boolean max = node.opType().equals("MaxPool");
        long[] kernel = node.integers("kernel_shape");
        long[] stride = node.integers("strides", 1, 1);
        long[] dilation = node.integers("dilations", 1, 1);
        if (kernel.length != 2) {
            unsupported(node, "other than 2-d");
            return;
        }
        Value padding = padding(node, in, kernel, stride, dilation);
        if (padding == null) {
            return;
        }
        if (!max && (dilation[0] != 1 || dilation[1] != 1)) {
            unsupported(node, "with dilation");
            return;
        }
        boolean ceil = node.integer("ceil_mode", 0) == 1;
        int[] pad = pads(padding);
        ImportedLayer.Builder layer = ImportedLayer.of(max ? "MaxPool2d" : "AvgPool2d")
                .attr("kernel", Value.pair(kernel[0], kernel[1]))
                .attr("stride", Value.pair(stride[0], stride[1]), Value.pair(kernel[0], kernel[1]))
                .attr("padding", padding, new Value.Int(0));
        if (max) {
            layer.attr("dilation", Value.pair(dilation[0], dilation[1]), new Value.Int(1));
        }
        layer.attr("ceilMode", new Value.Bool(ceil), new Value.Bool(false));
        if (!max) {
            // without padding the two counts agree: keep the DSL's default then
            boolean includePad = pad[0] == 0 && pad[1] == 0 || node.integer("count_include_pad", 0) == 1
                    || folded.containsKey(node.inputs().getFirst());
            layer.attr("countIncludePad", new Value.Bool(includePad), new Value.Bool(true));
        }
        add(node, layer.build(), x, new int[] {in[0], outputSize(in[1], kernel[0], stride[0], pad[0], dilation[0], ceil),
                outputSize(in[2], kernel[1], stride[1], pad[1], dilation[1], ceil)});
    }

    /** Whether a Reshape keeps the batch and flattens the rest: target shape (0 | -1 | 1, -1 | features). */
    private boolean flattens(OnnxNode node) {
        Constant shape = model.constants().get(node.input(1));
        if (shape == null || shape.longs() == null || shape.longs().length != 2) {
            return false;
        }
        int[] in = shapes.get(resolve(node.inputs().getFirst()));
        long features = Arrays.stream(in).asLongStream().reduce(1, Math::multiplyExact);
        long batch = shape.longs()[0];
        long rest = shape.longs()[1];
        return (batch == 0 || batch == -1 || batch == 1) && (rest == -1 || rest == features);
    }

    private void flatten(OnnxNode node, String x, int[] in, boolean batchKept) {
        if (!batchKept) {
            unsupported(node, "other than keeping the batch and flattening the rest");
        } else if (in.length == 1) {
            alias(node, x);
        } else {
            add(node, ImportedLayer.of("Flatten").build(), x, new int[] {Arrays.stream(in).reduce(1, Math::multiplyExact)});
        }
    }

    private void gemm(OnnxNode node, String x, int[] in) {
        LoadedTensor b = weight(node, 1);
        if (b == null) {
            return;
        }
        if (in.length != 1 || node.integer("transA", 0) != 0) {
            unsupported(node, "other than features x weight");
            return;
        }
        boolean transposed = node.integer("transB", 0) == 1;
        int units = transposed ? b.shape()[0] : b.shape()[1];
        int features = transposed ? b.shape()[1] : b.shape()[0];
        float[] w = new float[units * features];
        float alpha = node.real("alpha", 1f);
        for (int o = 0; o < units; o++) {
            for (int i = 0; i < features; i++) {
                w[o * features + i] = alpha * b.data()[transposed ? o * features + i : i * units + o];
            }
        }
        LoadedTensor c = weight(node, 2);
        ImportedLayer.Builder layer = ImportedLayer.of("Dense").attr("units", new Value.Int(units))
                .attr("bias", new Value.Bool(c != null), new Value.Bool(true)).weight("weight", new LoadedTensor(new int[] {units, features}, w));
        if (c != null) {
            if (c.data().length != units) {
                unsupported(node, "whose bias is not one value per unit");
                return;
            }
            float beta = node.real("beta", 1f);
            float[] bias = c.data().clone();
            for (int o = 0; o < units; o++) {
                bias[o] *= beta;
            }
            layer.weight("bias", new LoadedTensor(new int[] {units}, bias));
        }
        add(node, layer.build(), x, new int[] {units});
    }

    private void batchNorm(OnnxNode node, String x, int[] in) {
        LoadedTensor scale = weight(node, 1);
        LoadedTensor shift = weight(node, 2);
        LoadedTensor mean = weight(node, 3);
        LoadedTensor var = weight(node, 4);
        if (scale == null || shift == null || mean == null || var == null) {
            return;
        }
        double momentum = 1 - Double.parseDouble(Float.toString(node.real("momentum", 0.9f)));
        add(node, ImportedLayer.of("BatchNorm")
                .attr("eps", Value.Real.ofFloat(node.real("epsilon", 1e-5f)), new Value.Real(1e-5))
                .attr("momentum", new Value.Real(Math.round(momentum * 1e9) / 1e9), new Value.Real(0.1))
                .weight("weight", scale).weight("bias", shift).weight("running_mean", mean).weight("running_var", var).build(), x, in);
    }

    private void activation(OnnxNode node, String x, int[] in, String annotation) {
        add(node, ImportedLayer.of(annotation).build(), x, in);
    }

    private void clip(OnnxNode node, String x, int[] in) {
        double low = model.opset() < 11 ? node.real("min", Float.NEGATIVE_INFINITY) : bound(node, 1, Double.NEGATIVE_INFINITY);
        double high = model.opset() < 11 ? node.real("max", Float.POSITIVE_INFINITY) : bound(node, 2, Double.POSITIVE_INFINITY);
        if (low == 0 && high == 6) {
            activation(node, x, in, "ReLU6");
        } else if (low == 0 && high == Double.POSITIVE_INFINITY) {
            activation(node, x, in, "ReLU");
        } else {
            unsupported(node, "other than to [0, 6] or [0, inf)");
        }
    }

    private double bound(OnnxNode node, int index, double none) {
        String name = node.input(index);
        if (name == null) {
            return none;
        }
        Constant c = model.constants().get(name);
        return c == null ? Double.NaN : c.scalar();
    }

    private void softmax(OnnxNode node, String x, int[] in) {
        long axis = node.integer("axis", model.opset() < 13 ? 1 : -1);
        if (axis == 1 || axis == -1 && in.length == 1 || axis == -3 && in.length == 3) {
            activation(node, x, in, "Softmax");
        } else {
            unsupported(node, "over an axis other than the channels or features");
        }
    }

    private void add(OnnxNode node, List<String> data, int[] in) {
        if (data.size() != 2) {
            unsupported(node, "of a tensor and a constant");
            return;
        }
        if (!Arrays.equals(shapes.get(data.get(0)), shapes.get(data.get(1)))) {
            unsupported(node, "of tensors of different shapes");
            return;
        }
        add(node, ImportedLayer.of("Add").attr("from", new Value.Ref(data.get(1))).build(), data.get(0), in);
    }

    private void mul(OnnxNode node, List<String> data, int[] in) {
        String x = data.getFirst();
        if (data.size() == 1) {
            Constant c = model.constants().get(node.inputs().stream().filter(model.constants()::containsKey).findFirst().orElseThrow());
            double f = c.scalar();
            if (Double.isNaN(f) && isPerChannel(c, in)) {
                int[] dims = in.length == 3 ? new int[] {in[0], 1, 1} : new int[] {in[0]};
                add(node, ImportedLayer.of("LayerScale").weight("", new LoadedTensor(dims, c.floats())).build(), x, in);
            } else if (Double.isNaN(f)) {
                unsupported(node, "by a tensor of constants other than one number or one per channel");
            } else {
                add(node, ImportedLayer.of("Multiply").attr("value", new Value.Real(Double.parseDouble(Float.toString((float) f)))).build(), x, in);
            }
            return;
        }
        int[] a = shapes.get(data.get(0));
        int[] b = shapes.get(data.get(1));
        if (isGate(a, b)) {
            add(node, ImportedLayer.of("Scale").attr("from", new Value.Ref(data.get(1))).build(), data.get(0), b);
        } else if (isGate(b, a)) {
            add(node, ImportedLayer.of("Scale").attr("from", new Value.Ref(data.get(0))).build(), data.get(1), a);
        } else {
            unsupported(node, "of two tensors other than a channel gate (C x 1 x 1) and its feature map");
        }
    }

    /** A constant of one value per channel, shaped to broadcast over N x C x H x W ([C, 1, 1]) or over features ([C]). */
    private static boolean isPerChannel(Constant c, int[] in) {
        int[] d = c.dims();
        boolean spatial = in.length == 3 && (Arrays.equals(d, new int[] {in[0], 1, 1}) || Arrays.equals(d, new int[] {1, in[0], 1, 1}));
        boolean flat = in.length == 1 && (Arrays.equals(d, new int[] {in[0]}) || Arrays.equals(d, new int[] {1, in[0]}));
        return c.floats() != null && (spatial || flat);
    }

    private static boolean isGate(int[] gate, int[] map) {
        return gate.length == 3 && map.length == 3 && gate[0] == map[0] && gate[1] == 1 && gate[2] == 1 && (map[1] > 1 || map[2] > 1);
    }

    private void concat(OnnxNode node, List<String> data, int[] in) {
        long axis = node.integer("axis", 1);
        if (in.length != 3 || axis != 1 && axis != -3) {
            unsupported(node, "other than along the channels");
            return;
        }
        if (data.size() == 1) {
            alias(node, data.getFirst());
            return;
        }
        int channels = 0;
        for (String d : data) {
            int[] s = shapes.get(d);
            if (s.length != 3 || s[1] != in[1] || s[2] != in[2]) {
                unsupported(node, "of maps of different heights or widths");
                return;
            }
            channels += s[0];
        }
        add(node, ImportedLayer.of("Concat").attr("value", new Value.Refs(data)).build(), data.getFirst(), new int[] {channels, in[1], in[2]});
    }

    /**
     * Zero padding: nothing when it pads nothing; folded into the window of the convolution or average
     * pooling that alone reads it (PyTorch writes an average pool's padding this way), the padded zeros
     * counted as the average counts them.
     */
    private void pad(OnnxNode node, String x) {
        Constant pads = model.opset() < 11 ? null : model.constants().get(node.input(1));
        long[] values = pads != null ? pads.longs() : node.integers("pads");
        if (values != null && Arrays.stream(values).allMatch(v -> v == 0)) {
            alias(node, x);
            return;
        }
        OnnxNode reader = patterns.soleReader(node.output());
        boolean zeros = node.text("mode", "constant").equals("constant") && (node.input(2) == null || patterns.isZero(node.input(2)));
        boolean spatialSymmetric = values != null && values.length == 8 && values[0] == 0 && values[1] == 0 && values[4] == 0 && values[5] == 0
                && values[2] == values[6] && values[3] == values[7];
        boolean foldable = reader != null && (reader.opType().equals("Conv") || reader.opType().equals("AveragePool"))
                && Arrays.stream(reader.integers("pads", 0, 0, 0, 0)).allMatch(v -> v == 0) && reader.text("auto_pad", "NOTSET").equals("NOTSET");
        if (zeros && spatialSymmetric && foldable) {
            alias(node, x);
            folded.put(node.output(), Value.pair(values[2], values[3]));
        } else {
            unsupported(node, "other than zero padding on height and width, read by a convolution or average pooling");
        }
    }
}
