package dev.fovea.runtime.plan;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.exec.PlanBuilder;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.ChannelBlocks;
import dev.fovea.runtime.kernels.ConvGeometry;
import dev.fovea.runtime.kernels.Epilogue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The buffers of an inference session: the compiler's plan, less the tensors that the fast path's fused
 * steps never hold whole. These are a convolution's map that only a max pool reads (a stem's, the last
 * of a VGG stage's), which the pool reads sample by sample as the convolution makes it, and the expanded
 * tensor between an inverted residual block's 1x1 and depthwise layers, which their fused kernel keeps
 * in a thread's cache. Each such tensor (with the batch norm and activation written over it in place)
 * moves to a buffer of its own that the session builds against a stand-in, and each plan buffer that
 * lost one is sized again for the tensors it still holds, in either layout. The compiler sized it for
 * the largest, often one of those: MobileNet v2's 96 x 112 x 112 expanded tensor, ResNet-18's
 * 64 x 112 x 112 stem.
 */
public final class InferenceBuffers {
    private final NetworkGraph graph;
    /** The buffer of each layer's output. */
    private final int[] layerBuffer;
    private final int[] floats;
    private final boolean[] standIn;

    private InferenceBuffers(NetworkGraph graph, int[] layerBuffer, int[] floats, boolean[] standIn) {
        this.graph = graph;
        this.layerBuffer = layerBuffer;
        this.floats = floats;
        this.standIn = standIn;
    }

    /** The compiler's plan as it is, for the reference path, which fuses nothing. */
    public static InferenceBuffers planned(NetworkGraph graph) {
        int[] layerBuffer = new int[graph.layers().size()];
        for (int i = 0; i < layerBuffer.length; i++) {
            layerBuffer[i] = graph.outputBuffer(i);
        }
        return new InferenceBuffers(graph, layerBuffer, graph.bufferFloats(), new boolean[graph.bufferFloats().length]);
    }

    /** A tensor no step holds whole: convolution {@code first}'s output, written over in place up to layer {@code last}. */
    private record Passing(int first, int last, boolean pooled) {}

    /**
     * The buffers of the fast path at this batch. A tensor moves out of the plan where the session then holds
     * less: its buffer's other tensors are smaller, by more than the one sample of a map that the pooling step
     * keeps. A stem's map always does: its convolution copies each sample of the image anyway, and the pool
     * then finds the map in the caches (ResNet-50's, whose buffer holds 256 x 56 x 56 tensors as large, ran
     * 1 to 4% faster).
     */
    public static InferenceBuffers fast(NetworkGraph graph, int batch) {
        List<Layer> layers = graph.layers();
        Map<String, List<Integer>> readers = readers(graph);
        int planned = graph.bufferFloats().length;
        int[] layerBuffer = planned(graph).layerBuffer;
        List<Passing> passing = new ArrayList<>();
        boolean[] moves = new boolean[layers.size()];
        for (int i = 0; i < layers.size(); i++) {
            int last = inPlaceEnd(graph, i, readers);
            if (last >= 0 && neverWhole(graph, i, last, readers, batch)) {
                passing.add(new Passing(i, last, layers.get(last + 1) instanceof Layer.Pool2d));
                java.util.Arrays.fill(moves, i, last + 1, true);
            }
        }
        long[] othersMax = new long[planned];
        for (int i = 0; i < layers.size(); i++) {
            if (!moves[i]) {
                othersMax[layerBuffer[i]] = Math.max(othersMax[layerBuffer[i]], eitherLayout(layers.get(i).output()));
            }
        }
        List<Integer> own = new ArrayList<>();
        for (Passing p : passing) {
            long floats = eitherLayout(layers.get(p.first()).output());
            boolean stem = p.pooled() && layers.get(p.first()).inputs().getFirst().equals(NetworkGraph.INPUT);
            if (stem || (long) batch * (floats - othersMax[layerBuffer[p.first()]]) > (p.pooled() ? floats : 0)) {
                java.util.Arrays.fill(layerBuffer, p.first(), p.last() + 1, planned + own.size());
                own.add(Math.toIntExact(layers.get(p.first()).output().elements()));
            }
        }
        int[] floats = new int[planned + own.size()];
        boolean[] standIn = new boolean[floats.length];
        boolean[] lost = new boolean[planned];
        for (int i = 0; i < layers.size(); i++) {
            if (layerBuffer[i] != graph.outputBuffer(i)) {
                lost[graph.outputBuffer(i)] = true;
            }
        }
        int[] plannedFloats = graph.bufferFloats();
        for (int b = 0; b < planned; b++) {
            floats[b] = lost[b] ? 0 : plannedFloats[b];
        }
        for (int i = 0; i < layers.size(); i++) {
            int b = layerBuffer[i];
            if (b < planned && lost[b]) {
                floats[b] = Math.min(plannedFloats[b], Math.max(floats[b], eitherLayout(layers.get(i).output())));
            }
        }
        for (int k = 0; k < own.size(); k++) {
            floats[planned + k] = own.get(k);
            standIn[planned + k] = true;
        }
        return new InferenceBuffers(graph, layerBuffer, floats, standIn);
    }

    /** The buffer of layer i's output. */
    public int outputBuffer(int i) {
        return layerBuffer[i];
    }

    /** The buffer of the input or layer {@code name}; -1 is the input's own. */
    public int bufferOf(String name) {
        int i = graph.indexOf(name);
        return i < 0 ? -1 : layerBuffer[i];
    }

    /** Floats per sample of each buffer. */
    public int[] floats() {
        return floats.clone();
    }

    /** Which buffers hold a tensor no step holds whole, built against a stand-in. */
    public boolean[] standIn() {
        return standIn.clone();
    }

    /** Floats of one sample of a tensor of this shape, NCHW or in channel blocks (padded). */
    private static int eitherLayout(Shape s) {
        int elements = Math.toIntExact(s.elements());
        return s.isSpatial() ? Math.max(elements, ChannelBlocks.sampleFloats(s.channels(), s.height() * s.width())) : elements;
    }

    private static Map<String, List<Integer>> readers(NetworkGraph graph) {
        Map<String, List<Integer>> readers = new HashMap<>();
        for (int i = 0; i < graph.layers().size(); i++) {
            for (String input : graph.layers().get(i).inputs()) {
                readers.computeIfAbsent(input, k -> new ArrayList<>()).add(i);
            }
        }
        return readers;
    }

    /**
     * When layer i is a convolution: the last layer of the batch norms, then at most one activation, that the
     * fast path folds into it, each written over the one before in place and its only reader; else -1.
     */
    private static int inPlaceEnd(NetworkGraph graph, int i, Map<String, List<Integer>> readers) {
        if (convolution(graph.layers().get(i)) == null) {
            return -1;
        }
        int last = i;
        boolean activated = false;
        while (true) {
            List<Integer> next = readers.getOrDefault(graph.layers().get(last).name(), List.of());
            if (next.size() != 1 || next.getFirst() != last + 1 || graph.outputBuffer(last + 1) != graph.outputBuffer(i)) {
                return last;
            }
            Layer after = graph.layers().get(last + 1);
            boolean folds = switch (after) {
                case Layer.BatchNorm n -> !activated;
                case Layer.Activation a -> !activated && Epilogue.fusable(a.function());
                case Layer.Dropout d -> true;
                case Layer.Identity d -> true;
                default -> false;
            };
            if (!folds) {
                return last;
            }
            activated |= after instanceof Layer.Activation;
            last++;
        }
    }

    /** The activation folded into the convolution whose in-place layers end at {@code last}. */
    private static Activation activation(NetworkGraph graph, int conv, int last) {
        for (int j = conv + 1; j <= last; j++) {
            if (graph.layers().get(j) instanceof Layer.Activation a) {
                return a.function();
            }
        }
        return Activation.NONE;
    }

    /**
     * Whether the fast path never holds convolution i's output (up to layer {@code last}, written over it in
     * place) whole: a map that only a max pool reads, right after (a stem's, VGG's last of a stage), which
     * pools each sample as the convolution writes it; or a 1x1 layer's output that only a depthwise layer
     * reads, right after, which fuses with it ({@link PlanBuilder#fusesExpandDepthwise}).
     */
    private static boolean neverWhole(NetworkGraph graph, int i, int last, Map<String, List<Integer>> readers, int batch) {
        List<Layer> layers = graph.layers();
        List<Integer> next = readers.getOrDefault(layers.get(last).name(), List.of());
        if (next.size() != 1 || next.getFirst() != last + 1) {
            return false;
        }
        Layer conv = layers.get(i);
        Layer reader = layers.get(last + 1);
        if (reader instanceof Layer.Pool2d p) {
            ConvGeometry c = convolution(conv);
            return c.groups() == 1 && p.kind() == PoolKind.MAX && p.window().dh() == 1 && p.window().dw() == 1;
        }
        ConvGeometry e = convolution(conv);
        ConvGeometry d = convolution(reader);
        if (e == null || d == null || !e.isPointwise() || !d.isDepthwise()) {
            return false;
        }
        int dLast = inPlaceEnd(graph, last + 1, readers);
        for (int r : readers.getOrDefault(layers.get(dLast).name(), List.of())) {
            if (layers.get(r) instanceof Layer.Add) {
                return false; // it might fold into the depthwise layer, which then runs apart
            }
        }
        return graph.outputBuffer(last + 1) != graph.bufferOf(conv.inputs().getFirst())
                && PlanBuilder.fusesExpandDepthwise(e, activation(graph, i, last), d, activation(graph, last + 1, dLast), batch);
    }

    /** The geometry of a convolution (a pointwise dense layer's too), or null for any other layer. */
    private static ConvGeometry convolution(Layer layer) {
        return switch (layer) {
            case Layer.Conv2d c when !c.isPartial() -> {
                Shape x = c.in();
                Shape y = c.output();
                Window w = c.window();
                yield new ConvGeometry(x.channels(), x.height(), x.width(), y.channels(), y.height(), y.width(), w.kh(), w.kw(), w.sh(), w.sw(),
                        w.padTop(), w.padLeft(), w.dh(), w.dw(), c.groups());
            }
            case Layer.Dense d when d.pointwise() -> {
                Shape x = d.in();
                Shape y = d.output();
                yield new ConvGeometry(x.channels(), x.height(), x.width(), y.channels(), y.height(), y.width(), 1, 1, 1, 1, 0, 0, 1, 1, 1);
            }
            default -> null;
        };
    }
}
