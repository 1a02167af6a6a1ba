package dev.fovea.runtime.train;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.ChannelMoves;
import dev.fovea.runtime.kernels.ConvGeometry;
import dev.fovea.runtime.kernels.train.Scratch;
import dev.fovea.runtime.plan.GradientBufferPlan;
import dev.fovea.runtime.plan.TensorDeclarations;
import dev.fovea.runtime.weights.Parameters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds a training session's nodes and buffers from the graph in two passes. The first declares every
 * tensor (one per layer, three for a projection shortcut; flatten and skipped additions share their
 * input's) and which node reads which, so that activations such as ReLU can write over values nothing
 * else needs, and the activation gradients can share arrays by their live ranges in backward order
 * ({@link GradientBufferPlan}); the second allocates the arrays and builds one node per declared step.
 */
public final class TrainingSessions {
    private final NetworkGraph graph;
    private final Parameters parameters;
    private final Gradients gradients;
    private final int batch;
    private final int threads;
    private final TrainingState state;
    /** The convolutions' scratch, shared: layers run one after the other. */
    private final Scratch scratch = new Scratch();
    private final TensorDeclarations declared = new TensorDeclarations();
    private final Map<String, Tensor> tensors = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    /** Set once the activations are placed: see {@link #fusedActivations()}. */
    private Map<String, Layer.Activation> fusedActivations = Map.of();

    private TrainingSessions(NetworkGraph graph, Parameters parameters, int batch, int threads, long seed) {
        this.graph = graph;
        this.parameters = parameters;
        this.gradients = new Gradients(parameters, graph.layers().stream().flatMap(l -> l.parameters().stream())
                .collect(Collectors.toSet()), graph.frozen());
        this.batch = batch;
        this.threads = threads;
        this.state = new TrainingState(seed);
    }

    public static TrainingSession plan(NetworkGraph graph, Parameters parameters, int batch, int threads, long seed, boolean inputGradient) {
        if (batch < 1 || threads < 1) {
            throw new IllegalArgumentException("batch and threads must be at least 1, not " + batch + " and " + threads);
        }
        TrainingSessions p = new TrainingSessions(graph, parameters, batch, threads, seed);
        if (BatchParts.suits(graph, batch, p.gradients.floats(), inputGradient)) {
            return p.inParts(seed);
        }
        p.declared.tensor(NetworkGraph.INPUT, graph.input(), inputGradient);
        for (Layer layer : graph.layers()) {
            p.declare(layer);
        }
        p.declared.placeActivations();
        Layer last = graph.outputLayer();
        String logits = last instanceof Layer.Softmax s ? p.declared.root(s.input()) : p.declared.root(last.name());
        GradientBufferPlan plan = p.declared.gradientPlan(logits);
        p.allocate(plan);
        p.fusedActivations = p.fusedActivations();
        for (Layer layer : graph.layers()) {
            p.build(layer);
        }
        // A node that stores the gradients it writes first leaves them nothing to zero (the nodes are the steps).
        List<List<Tensor>> zeroBefore = new ArrayList<>();
        List<List<String>> firstWrittenAt = p.declared.firstWrittenAt();
        for (int step = 0; step < firstWrittenAt.size(); step++) {
            List<Tensor> written = firstWrittenAt.get(step).stream().map(p.tensors::get).toList();
            List<Tensor> stored = p.nodes.get(step).storeFirstWrites(written);
            zeroBefore.add(written.stream().filter(t -> !stored.contains(t)).toList());
        }
        return new TrainingSession(p.nodes, p.tensors.get(NetworkGraph.INPUT), p.tensors.get(logits), p.tensors.get(last.name()),
                zeroBefore, p.scratch, parameters, p.gradients, new Workers(threads), batch, p.state);
    }

    /** A session whose batch trains as {@link BatchParts}: one session per part, on one thread each. */
    private TrainingSession inParts(long seed) {
        TrainingSession[] parts = new TrainingSession[BatchParts.count(batch)];
        for (int k = 0; k < parts.length; k++) {
            parts[k] = plan(graph, parameters, BatchParts.size(batch, k), 1, seed, false);
        }
        Layer last = graph.outputLayer();
        Shape logitsShape = last instanceof Layer.Softmax s ? graph.shapeOf(s.input()) : last.output();
        Tensor input = whole(NetworkGraph.INPUT, graph.input());
        Tensor logits = whole("logits", logitsShape);
        Tensor output = last instanceof Layer.Softmax ? whole(last.name(), last.output()) : logits;
        BatchParts inParts = new BatchParts(parts, Math.toIntExact(graph.input().elements()), Math.toIntExact(logitsShape.elements()),
                Math.toIntExact(last.output().elements()));
        return new TrainingSession(inParts, input, logits, output, parameters, gradients, new Workers(threads), batch, state);
    }

    /** The whole batch's values of a tensor, without a gradient. */
    private Tensor whole(String name, Shape shape) {
        return new Tensor(name, shape, new float[Math.multiplyExact(batch, Math.toIntExact(shape.elements()))], null);
    }

    /** A layer's output has a gradient when it owns a trainable tensor or reads one that has. */
    private boolean needsGradient(Layer layer) {
        return layer.parameters().stream().anyMatch(gradients::has) || layer.inputs().stream().anyMatch(declared::hasGradient);
    }

    private void declare(Layer layer) {
        String name = layer.name();
        switch (layer) {
            case Layer.Flatten f -> declared.alias(name, f.input());
            case Layer.Identity i -> declared.alias(name, i.input());
            case Layer.ProjectedAdd p -> {
                boolean grad = needsGradient(p);
                declared.tensor(p.name() + "/projection", p.out(), grad);
                declared.tensor(p.name() + "/projection/norm", p.out(), grad);
                declared.tensor(name, p.output(), grad);
                declared.step(p.name() + "/projection", List.of(p.shortcut()), false);
                declared.step(p.name() + "/projection/norm", List.of(p.name() + "/projection"), false);
                declared.step(name, List.of(p.input(), p.name() + "/projection/norm"), false);
                declared.runsActivation();
            }
            default -> {
                declared.tensor(name, layer.output(), needsGradient(layer));
                declared.step(name, layer.inputs(), layer instanceof Layer.Activation || layer instanceof Layer.Softmax);
                if (layer instanceof Layer.Activation a && (a.function() == Activation.RELU || a.function() == Activation.RELU6)) {
                    declared.fusableCandidate();
                } else if (layer instanceof Layer.Activation a && a.function().gradientFromOutput()) {
                    declared.inPlaceCandidate();
                }
                if (layer instanceof Layer.Add || layer instanceof Layer.BatchNorm n && learns(n)) {
                    declared.runsActivation();
                }
            }
        }
    }

    /** Every declared tensor's values, and its gradient in its plan's shared buffer (the input's in one of its own). */
    private void allocate(GradientBufferPlan plan) {
        float[][] buffers = new float[plan.buffers()][];
        for (int b = 0; b < buffers.length; b++) {
            buffers[b] = new float[Math.multiplyExact(batch, Math.toIntExact(plan.bufferElements(b)))];
        }
        for (TensorDeclarations.Declared d : declared.tensors()) {
            int size = Math.multiplyExact(batch, Math.toIntExact(d.shape().elements()));
            float[] grad = !d.gradient() ? null : d.planned() >= 0 ? buffers[plan.buffer(d.planned())] : new float[size];
            String owner = declared.valuesOf(d.name());
            float[] value = owner.equals(d.name()) ? new float[size] : tensors.get(owner).value;
            tensors.put(d.name(), new Tensor(d.name(), d.shape(), value, grad));
        }
        declared.aliases().forEach((alias, root) -> tensors.put(alias, tensors.get(root).alias(alias, graph.shapeOf(alias))));
    }

    private Tensor in(String name) {
        return tensors.get(name);
    }

    private float[] value(String tensor) {
        return tensor == null ? null : parameters.get(tensor);
    }

    private float[] grad(String tensor) {
        return tensor == null ? null : gradients.get(tensor);
    }

    private void build(Layer layer) {
        String name = layer.name();
        if (layer instanceof Layer.Flatten || layer instanceof Layer.Identity) {
            return;
        }
        Tensor x = in(layer.inputs().getFirst());
        Tensor out = in(name);
        nodes.add(switch (layer) {
            case Layer.Conv2d c -> new ConvNode(name, x, out, geometry(c.in(), c.out(), c.window(), c.groups()), batch, threads, scratch,
                    value(c.weight()), value(c.bias()), grad(c.weight()), grad(c.bias()), c.connections());
            case Layer.Dense d when d.pointwise() -> new ConvNode(name, x, out, geometry(d.in(), d.out(), Window.kernel(1), 1), batch,
                    threads, scratch, value(d.weight()), value(d.bias()), grad(d.weight()), grad(d.bias()), List.of());
            case Layer.Dense d -> new DenseNode(name, x, out, batch, value(d.weight()), value(d.bias()), grad(d.weight()), grad(d.bias()));
            case Layer.ConvTranspose2d t -> new ConvTransposeNode(name, x, out, geometry(t.out(), t.in(), t.window(), t.groups()), batch,
                    threads, scratch, value(t.weight()), value(t.bias()), grad(t.weight()), grad(t.bias()));
            case Layer.Pool2d p -> new PoolNode(p, x, out, batch);
            case Layer.AdaptiveAvgPool2d a -> new AdaptiveAvgPoolNode(name, x, out, batch);
            case Layer.BatchNorm n -> batchNorm(name, x, out, n.prefix(), n.scale(), n.eps(), n.momentum());
            case Layer.LayerNorm n -> new LayerNormNode(name, x, out, batch, value(n.prefix() + ".weight"), value(n.prefix() + ".bias"),
                    grad(n.prefix() + ".weight"), grad(n.prefix() + ".bias"), n.eps());
            case Layer.LocalResponseNorm n -> new LocalResponseNormNode(n, x, out, batch);
            case Layer.Activation a -> new ActivationNode(name, x, out, a.function(), a.slope(), fusedActivations.get(a.input()) == a);
            case Layer.Softmax s -> new SoftmaxNode(name, x, out, batch);
            case Layer.Dropout d -> new DropoutNode(name, x, out, d.rate(), d.wholeSamples() ? batch : 0,
                    name.hashCode() * 0x632BE59BD9B4E019L, state);
            case Layer.Subsample s -> new SubsampleNode(s, x, out, batch, value(s.prefix() + ".weight"), value(s.prefix() + ".bias"),
                    grad(s.prefix() + ".weight"), grad(s.prefix() + ".bias"));
            case Layer.Multiply m -> new MultiplyNode(name, x, out, (float) m.factor());
            case Layer.LayerScale s -> ScaleNode.layerScale(name, x, out, batch, value(s.tensor()), grad(s.tensor()));
            case Layer.EuclideanRbf r -> new EuclideanRbfNode(name, x, out, batch, value(r.weight()), grad(r.weight()));
            case Layer.Add a -> new AddNode(name, x, in(a.shortcut()), out, fused(name));
            case Layer.ProjectedAdd p -> projectedAdd(p, x, out);
            case Layer.Concat c -> new ConcatNode(name, c.inputs().stream().map(this::in).toList(), out, batch);
            case Layer.Border s -> new MoveNode(name, s.offsetY() < 0 || s.offsetX() < 0 ? "Crop" : "ZeroPad", x, out,
                    ChannelMoves.shift(x.value, out.value, batch * s.in().channels(), s.in().height(), s.in().width(), s.out().height(),
                            s.out().width(), s.offsetY(), s.offsetX()),
                    ChannelMoves.shiftBackward(out.grad, x.grad, batch * s.in().channels(), s.in().height(), s.in().width(),
                            s.out().height(), s.out().width(), s.offsetY(), s.offsetX()));
            case Layer.ChannelSplit s -> new MoveNode(name, "ChannelSplit", x, out,
                    ChannelMoves.split(x.value, out.value, batch, s.in().channels(), s.start(), s.out().channels(), s.out().height() * s.out().width()),
                    ChannelMoves.splitBackward(out.grad, x.grad, batch, s.in().channels(), s.start(), s.out().channels(),
                            s.out().height() * s.out().width()));
            case Layer.ChannelShuffle s -> new MoveNode(name, "ChannelShuffle", x, out,
                    ChannelMoves.shuffle(x.value, out.value, batch, s.shape().channels(), s.groups(), s.shape().height() * s.shape().width()),
                    ChannelMoves.shuffleBackward(out.grad, x.grad, batch, s.shape().channels(), s.groups(), s.shape().height() * s.shape().width()));
            case Layer.Scale s -> ScaleNode.gated(name, in(s.gates()), in(s.input()), out, batch);
            case Layer.Flatten f -> throw new AssertionError("aliased above");
            case Layer.Identity i -> throw new AssertionError("aliased above");
        });
    }

    /**
     * A batch norm; one that learns no scale normalises with a scale of ones and computes no gradient for it.
     */
    private BatchNormNode batchNorm(String name, Tensor x, Tensor out, String prefix, boolean learnsScale, double eps, double momentum) {
        float[] gamma = learnsScale ? value(prefix + ".weight") : ones(x.shape.channels());
        float[] gammaGrad = learnsScale ? grad(prefix + ".weight") : null;
        return new BatchNormNode(name, x, out, batch, gamma, value(prefix + ".bias"), value(prefix + ".running_mean"),
                value(prefix + ".running_var"), gammaGrad, grad(prefix + ".bias"), eps, momentum, fused(name));
    }

    /** The activation that the layer {@code name} runs itself, or null. */
    private FusedActivation fused(String name) {
        Layer.Activation after = fusedActivations.get(name);
        return after == null ? null : new FusedActivation(after.function(), in(after.name()));
    }

    /** Each ReLU or ReLU6 that runs inside the batch norm or addition before it, by that layer's name. */
    private Map<String, Layer.Activation> fusedActivations() {
        Map<String, Layer.Activation> fused = new HashMap<>();
        for (Layer layer : graph.layers()) {
            if (layer instanceof Layer.Activation a && declared.fusedInto(a.name()) != null) {
                fused.put(declared.fusedInto(a.name()), a);
            }
        }
        return fused;
    }

    /** Whether a batch norm learns its scale or its shift; a frozen one's backward pass is a plain scale, which runs nothing fused. */
    private boolean learns(Layer.BatchNorm n) {
        return grad(n.prefix() + ".bias") != null || grad(n.prefix() + ".weight") != null;
    }

    private static float[] ones(int channels) {
        float[] ones = new float[channels];
        java.util.Arrays.fill(ones, 1f);
        return ones;
    }

    /** input + batchNorm(conv1x1(shortcut)), as three nodes with two tensors of their own. */
    private Node projectedAdd(Layer.ProjectedAdd p, Tensor main, Tensor out) {
        Tensor projected = in(p.name() + "/projection");
        Tensor normed = in(p.name() + "/projection/norm");
        String weight = p.prefix() + ".0.weight";
        nodes.add(new ConvNode(p.name() + "/projection", in(p.shortcut()), projected,
                geometry(p.shortcutShape(), p.out(), Window.kernel(1).stride(p.stride()), 1), batch, threads, scratch, value(weight), null,
                grad(weight), null, List.of()));
        nodes.add(batchNorm(p.name() + "/projection/norm", projected, normed, p.norm(), true, 1e-5, 0.1));
        return new AddNode(p.name(), main, normed, out, fused(p.name()));
    }

    private static ConvGeometry geometry(Shape in, Shape out, Window w, int groups) {
        return new ConvGeometry(in.channels(), in.height(), in.width(), out.channels(), out.height(), out.width(), w.kh(), w.kw(), w.sh(),
                w.sw(), w.padTop(), w.padLeft(), w.dh(), w.dw(), groups);
    }
}
