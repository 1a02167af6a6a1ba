package dev.fovea.runtime.plan;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.exec.PlanBuilder;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.weights.Parameters;

/**
 * The inference planner: walks a {@link NetworkGraph} in order and hands each layer, with its buffers
 * ({@link InferenceBuffers}: the compiler's plan, less what fused steps never hold whole), to a
 * {@link PlanBuilder}, which folds batch norm, fuses epilogues, chooses layouts and kernels and packs
 * the weights.
 */
public final class InferencePlanner {
    private InferencePlanner() {}

    public static InferenceSession session(NetworkGraph graph, Parameters parameters, int batch, int threads, PlanBuilder.Mode mode) {
        InferenceBuffers buffers = mode == PlanBuilder.Mode.FAST ? InferenceBuffers.fast(graph, batch) : InferenceBuffers.planned(graph);
        PlanBuilder b = new PlanBuilder(parameters, batch, mode, Math.toIntExact(graph.input().elements()), buffers.floats(), buffers.standIn());
        for (int i = 0; i < graph.layers().size(); i++) {
            add(b, buffers, graph.layers().get(i), buffers.outputBuffer(i));
        }
        return b.build(buffers.outputBuffer(graph.layers().size() - 1), graph.input(), graph.output(), threads);
    }

    private static void add(PlanBuilder b, InferenceBuffers buffers, Layer layer, int out) {
        String name = layer.name();
        int in = buffers.bufferOf(layer.inputs().getFirst());
        Shape y = layer.output();
        int count = Math.toIntExact(y.elements());
        int positions = y.isSpatial() ? y.height() * y.width() : 1;
        switch (layer) {
            case Layer.Conv2d c when c.isPartial() -> {
                Shape x = c.in();
                b.conv2dPartial(name, in, out, c.weight(), c.bias(), c.connections().toArray(String[]::new), x.channels(), x.height(),
                        x.width(), y.channels(), y.height(), y.width(), c.window().kh(), c.window().kw());
            }
            case Layer.Conv2d c -> {
                Shape x = c.in();
                Window w = c.window();
                b.conv2d(name, in, out, c.weight(), c.bias(), x.channels(), x.height(), x.width(), y.channels(), y.height(), y.width(),
                        w.kh(), w.kw(), w.sh(), w.sw(), w.padTop(), w.padLeft(), w.dh(), w.dw(), c.groups());
            }
            case Layer.Dense d when d.pointwise() -> {
                Shape x = d.in();
                b.conv2d(name, in, out, d.weight(), d.bias(), x.channels(), x.height(), x.width(), y.channels(), y.height(), y.width(),
                        1, 1, 1, 1, 0, 0, 1, 1, 1);
            }
            case Layer.Dense d -> b.dense(name, in, out, d.weight(), d.bias(), Math.toIntExact(d.in().elements()), count);
            case Layer.ConvTranspose2d t -> {
                Shape x = t.in();
                Window w = t.window();
                b.convTranspose2d(name, in, out, t.weight(), t.bias(), x.channels(), x.height(), x.width(), y.channels(), y.height(),
                        y.width(), w.kh(), w.kw(), w.sh(), w.sw(), w.padTop(), w.padLeft(), w.dh(), w.dw(), t.groups());
            }
            case Layer.Pool2d p -> {
                Shape x = p.in();
                Window w = p.window();
                b.pool2d(name, p.kind() == PoolKind.MAX, in, out, x.channels(), x.height(), x.width(), y.height(), y.width(), w.kh(),
                        w.kw(), w.sh(), w.sw(), w.padTop(), w.padLeft(), w.padBottom(), w.padRight(), w.dh(), w.dw(), p.countIncludePad());
            }
            case Layer.AdaptiveAvgPool2d a -> b.adaptiveAvgPool2d(name, in, out, y.channels(), a.in().height(), a.in().width(), y.height(),
                    y.width());
            case Layer.Flatten f -> b.identity(name, in, out, count);
            case Layer.Dropout d -> b.identity(name, in, out, count);
            case Layer.Identity i -> b.identity(name, in, out, count);
            case Layer.BatchNorm n -> b.batchNorm(name, in, out, n.prefix(), n.scale(), n.eps(), channels(y), positions);
            case Layer.LayerNorm n -> b.layerNorm(name, in, out, n.prefix(), n.eps(), channels(y), positions);
            case Layer.LocalResponseNorm n -> b.localResponseNorm(name, in, out, n.size(), n.alpha(), n.beta(), n.k(), channels(y), positions);
            case Layer.Softmax s -> b.softmax(name, in, out, channels(y), positions);
            case Layer.Activation a -> b.activation(name, in, out, a.function(), a.slope(), count);
            case Layer.Subsample s -> b.subsample(name, in, out, s.prefix(), y.channels(), s.in().height(), s.in().width(), y.height(),
                    y.width(), s.window().kh(), s.window().kw(), s.window().sh(), s.window().sw());
            case Layer.LayerScale s -> b.layerScale(name, in, out, s.tensor(), channels(y), positions);
            case Layer.Multiply m -> b.multiply(name, in, out, m.factor(), channels(y), positions);
            case Layer.EuclideanRbf r -> b.euclideanRbf(name, in, out, r.weight(), Math.toIntExact(r.in().elements()), count);
            case Layer.Add a -> b.add(name, in, buffers.bufferOf(a.shortcut()), out, count);
            case Layer.ProjectedAdd p -> {
                Shape s = p.shortcutShape();
                b.addProjected(name, in, buffers.bufferOf(p.shortcut()), out, p.prefix(), s.channels(), s.height(), s.width(), y.channels(),
                        y.height(), y.width(), p.stride());
            }
            case Layer.Concat c -> {
                int[] ins = c.inputs().stream().mapToInt(buffers::bufferOf).toArray();
                int[] channels = c.inputShapes().stream().mapToInt(Shape::channels).toArray();
                b.concat(name, ins, channels, out, positions);
            }
            case Layer.Border s -> b.border(name, in, out, s.in(), s.out(), s.offsetY(), s.offsetX());
            case Layer.ChannelSplit s -> b.channelSplit(name, in, out, s.in().channels(), s.start(), y.channels(), positions);
            case Layer.ChannelShuffle s -> b.channelShuffle(name, in, out, y.channels(), s.groups(), positions);
            case Layer.Scale s -> b.scale(name, buffers.bufferOf(s.gates()), buffers.bufferOf(s.input()), out, y.channels(), positions);
        }
    }

    /** Channels of a spatial shape; a flat one is its features at a single position. */
    private static int channels(Shape s) {
        return s.isSpatial() ? s.channels() : s.dim(0);
    }
}
