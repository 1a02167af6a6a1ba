package dev.fovea.runtime.train;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.ConvGeometry;
import dev.fovea.runtime.kernels.train.Scratch;
import dev.fovea.runtime.weights.Parameters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a training session's nodes and buffers from the graph: one node per layer (three for a
 * projection shortcut), flatten and skipped additions sharing their input's arrays.
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
    private final Map<String, Tensor> tensors = new HashMap<>();
    private final List<Tensor> all = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();

    private TrainingSessions(NetworkGraph graph, Parameters parameters, int batch, int threads, long seed) {
        this.graph = graph;
        this.parameters = parameters;
        this.gradients = new Gradients(parameters, graph.frozen());
        this.batch = batch;
        this.threads = threads;
        this.state = new TrainingState(seed);
    }

    public static TrainingSession plan(NetworkGraph graph, Parameters parameters, int batch, int threads, long seed, boolean inputGradient) {
        if (batch < 1 || threads < 1) {
            throw new IllegalArgumentException("batch and threads must be at least 1, not " + batch + " and " + threads);
        }
        TrainingSessions p = new TrainingSessions(graph, parameters, batch, threads, seed);
        Tensor input = p.tensor(NetworkGraph.INPUT, graph.input(), inputGradient);
        for (Layer layer : graph.layers()) {
            p.add(layer);
        }
        Layer last = graph.outputLayer();
        Tensor output = p.tensors.get(last.name());
        Tensor logits = last instanceof Layer.Softmax s ? p.tensors.get(s.input()) : output;
        return new TrainingSession(p.nodes, input, logits, output, p.all, parameters, p.gradients, new Workers(threads), batch, p.state);
    }

    private Tensor tensor(String name, Shape shape, boolean withGradient) {
        Tensor t = Tensor.allocate(name, shape, batch, withGradient);
        tensors.put(name, t);
        all.add(t);
        return t;
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

    /** A layer's output has a gradient when it owns a trainable tensor or reads one that has. */
    private boolean needsGradient(Layer layer) {
        return layer.parameters().stream().anyMatch(gradients::has) || layer.inputs().stream().anyMatch(i -> in(i).hasGradient());
    }

    private void add(Layer layer) {
        String name = layer.name();
        if (layer instanceof Layer.Flatten || layer instanceof Layer.Identity) {
            Tensor alias = in(layer.inputs().getFirst()).alias(name, layer.output());
            tensors.put(name, alias);
            return;
        }
        Tensor x = in(layer.inputs().getFirst());
        Tensor out = tensor(name, layer.output(), needsGradient(layer));
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
            case Layer.BatchNorm n -> batchNorm(name, x, out, n.prefix(), n.eps(), n.momentum());
            case Layer.LayerNorm n -> new LayerNormNode(name, x, out, batch, value(n.prefix() + ".weight"), value(n.prefix() + ".bias"),
                    grad(n.prefix() + ".weight"), grad(n.prefix() + ".bias"), n.eps());
            case Layer.LocalResponseNorm n -> new LocalResponseNormNode(n, x, out, batch);
            case Layer.Activation a -> new ActivationNode(name, x, out, a.function(), a.slope());
            case Layer.Softmax s -> new SoftmaxNode(name, x, out, batch);
            case Layer.Dropout d -> new DropoutNode(name, x, out, d.rate(), name.hashCode() * 0x632BE59BD9B4E019L, state);
            case Layer.Subsample s -> new SubsampleNode(s, x, out, batch, value(s.prefix() + ".weight"), value(s.prefix() + ".bias"),
                    grad(s.prefix() + ".weight"), grad(s.prefix() + ".bias"));
            case Layer.LayerScale s -> ScaleNode.layerScale(name, x, out, batch, value(s.tensor()), grad(s.tensor()));
            case Layer.EuclideanRbf r -> new EuclideanRbfNode(name, x, out, batch, value(r.weight()), grad(r.weight()));
            case Layer.Add a -> new AddNode(name, x, in(a.shortcut()), out);
            case Layer.ProjectedAdd p -> projectedAdd(p, x, out);
            case Layer.Concat c -> new ConcatNode(name, c.inputs().stream().map(this::in).toList(), out, batch);
            case Layer.Scale s -> ScaleNode.gated(name, in(s.gates()), in(s.input()), out, batch);
            case Layer.Flatten f -> throw new AssertionError("aliased above");
            case Layer.Identity i -> throw new AssertionError("aliased above");
        });
    }

    private BatchNormNode batchNorm(String name, Tensor x, Tensor out, String prefix, double eps, double momentum) {
        return new BatchNormNode(name, x, out, batch, value(prefix + ".weight"), value(prefix + ".bias"), value(prefix + ".running_mean"),
                value(prefix + ".running_var"), grad(prefix + ".weight"), grad(prefix + ".bias"), eps, momentum);
    }

    /** input + batchNorm(conv1x1(shortcut)), as three nodes with two tensors of their own. */
    private Node projectedAdd(Layer.ProjectedAdd p, Tensor main, Tensor out) {
        Tensor shortcut = in(p.shortcut());
        boolean grad = out.hasGradient();
        Tensor projected = tensor(p.name() + "/projection", p.out(), grad);
        Tensor normed = tensor(p.name() + "/projection/norm", p.out(), grad);
        String weight = p.prefix() + ".0.weight";
        nodes.add(new ConvNode(p.name() + "/projection", shortcut, projected, geometry(p.shortcutShape(), p.out(), Window.kernel(1).stride(p.stride()), 1),
                batch, threads, scratch, value(weight), null, grad(weight), null, List.of()));
        nodes.add(batchNorm(p.name() + "/projection/norm", projected, normed, p.norm(), 1e-5, 0.1));
        return new AddNode(p.name(), main, normed, out);
    }

    private static ConvGeometry geometry(Shape in, Shape out, Window w, int groups) {
        return new ConvGeometry(in.channels(), in.height(), in.width(), out.channels(), out.height(), out.width(), w.kh(), w.kw(), w.sh(),
                w.sw(), w.padTop(), w.padLeft(), w.dh(), w.dw(), groups);
    }
}
