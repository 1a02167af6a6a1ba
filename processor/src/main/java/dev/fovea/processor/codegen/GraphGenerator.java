package dev.fovea.processor.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.fovea.processor.cost.MemoryPlan;
import dev.fovea.processor.graph.Hw;
import dev.fovea.processor.graph.Op;
import dev.fovea.processor.graph.Pads;
import dev.fovea.processor.infer.Resolved;
import dev.fovea.processor.report.LayerReport;
import dev.fovea.runtime.Shape;
import dev.fovea.runtime.weights.TensorSpec;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes one layer of the network as the statement that adds its typed record ({@code Layer.Conv2d},
 * {@code Layer.Pool2d}, ...) to the graph builder, with the inference buffer the compiler's live-range
 * plan gives its output, and marks the tensors of a frozen layer.
 */
final class GraphGenerator {
    private static final String GRAPH = "dev.fovea.runtime.graph";
    static final ClassName NETWORK_GRAPH = ClassName.get(GRAPH, "NetworkGraph");
    static final ClassName GRAPH_BUILDER = NETWORK_GRAPH.nestedClass("Builder");
    private static final ClassName LAYER = ClassName.get(GRAPH, "Layer");
    private static final ClassName WINDOW = ClassName.get(GRAPH, "Window");
    private static final ClassName POOL_KIND = ClassName.get(GRAPH, "PoolKind");
    private static final ClassName ACTIVATION = ClassName.get("dev.fovea.runtime.kernels", "Activation");
    private static final ClassName SHAPE = ClassName.get("dev.fovea.runtime", "Shape");
    private static final ClassName LIST = ClassName.get(List.class);

    private GraphGenerator() {}

    /** {@code g.add(buffer, new Layer.X(...));} and, for a frozen layer, {@code g.frozen(...)}. */
    static CodeBlock add(LayerReport l, MemoryPlan plan) {
        Resolved r = l.layer();
        CodeBlock.Builder code = CodeBlock.builder()
                .addStatement("g.add($L, $L)", plan.buffer()[r.node().id()], record(l));
        List<String> trained = l.cost().tensors().stream().filter(t -> !t.buffer()).map(TensorSpec::name).toList();
        if (r.node().frozen() && !trained.isEmpty()) {
            code.addStatement("g.frozen($L)", trained.stream().map(t -> CodeBlock.of("$S", t)).collect(CodeBlock.joining(", ")));
        }
        return code.build();
    }

    private static CodeBlock record(LayerReport l) {
        Resolved r = l.layer();
        String name = l.name();
        String p = r.node().paramName();
        List<String> ins = l.inputs();
        String in = ins.getFirst();
        Shape x = r.input();
        Shape y = r.output();
        return switch (r.op()) {
            case Op.Conv c -> CodeBlock.of("new $T($S, $S, $L, $L, $L, $L, $S, $L, $L)", LAYER.nestedClass("Conv2d"), name, in, shape(x),
                    shape(y), window(c.kernel(), c.stride(), c.padding(), c.dilation()), c.groups(), p + ".weight", bias(c.bias(), p),
                    listOf(c.connections()));
            case Op.Dense d -> CodeBlock.of("new $T($S, $S, $L, $L, $S, $L, $L)", LAYER.nestedClass("Dense"), name, in, shape(x), shape(y),
                    p + ".weight", bias(d.bias(), p), d.pointwise());
            case Op.ConvTranspose t -> CodeBlock.of("new $T($S, $S, $L, $L, $L, $L, $S, $L)", LAYER.nestedClass("ConvTranspose2d"), name, in,
                    shape(x), shape(y), window(t.kernel(), t.stride(), Pads.symmetric(t.padding().h(), t.padding().w()), t.dilation()),
                    t.groups(), p + ".weight", bias(t.bias(), p));
            case Op.Pool pool -> CodeBlock.of("new $T($S, $S, $L, $L, $T.$L, $L, $L, $L)", LAYER.nestedClass("Pool2d"), name, in, shape(x),
                    shape(y), POOL_KIND, pool.kind().name(), window(pool.kernel(), pool.stride(), pool.padding(), pool.dilation()),
                    pool.ceilMode(), pool.countIncludePad());
            case Op.AdaptiveAvgPool a -> CodeBlock.of("new $T($S, $S, $L, $L)", LAYER.nestedClass("AdaptiveAvgPool2d"), name, in, shape(x),
                    shape(y));
            case Op.Flatten f -> CodeBlock.of("new $T($S, $S, $L, $L)", LAYER.nestedClass("Flatten"), name, in, shape(x), shape(y));
            case Op.Border b when b.isEmpty() -> CodeBlock.of("new $T($S, $S, $L)", LAYER.nestedClass("Identity"), name, in, shape(y));
            case Op.Border b -> CodeBlock.of("new $T($S, $S, $L, $L, $L, $L)", LAYER.nestedClass("Border"), name, in, shape(x), shape(y),
                    b.crop() ? -b.top() : b.top(), b.crop() ? -b.left() : b.left());
            case Op.ChannelSplit s -> CodeBlock.of("new $T($S, $S, $L, $L, $L)", LAYER.nestedClass("ChannelSplit"), name, in, shape(x), shape(y),
                    s.part() * y.channels());
            case Op.ChannelShuffle s -> CodeBlock.of("new $T($S, $S, $L, $L)", LAYER.nestedClass("ChannelShuffle"), name, in, shape(y), s.groups());
            case Op.Dropout d when d.wholeSamples() -> CodeBlock.of("new $T($S, $S, $L, $L, true)", LAYER.nestedClass("Dropout"), name, in,
                    shape(y), real(d.rate()));
            case Op.Dropout d -> CodeBlock.of("new $T($S, $S, $L, $L)", LAYER.nestedClass("Dropout"), name, in, shape(y), real(d.rate()));
            case Op.BatchNorm n when !n.scale() -> CodeBlock.of("new $T($S, $S, $L, $S, $L, $L, false)", LAYER.nestedClass("BatchNorm"), name,
                    in, shape(y), p, real(n.eps()), real(n.momentum()));
            case Op.BatchNorm n -> CodeBlock.of("new $T($S, $S, $L, $S, $L, $L)", LAYER.nestedClass("BatchNorm"), name, in, shape(y), p,
                    real(n.eps()), real(n.momentum()));
            case Op.LayerNorm n -> CodeBlock.of("new $T($S, $S, $L, $S, $L)", LAYER.nestedClass("LayerNorm"), name, in, shape(y), p,
                    real(n.eps()));
            case Op.LocalResponseNorm n -> CodeBlock.of("new $T($S, $S, $L, $L, $L, $L, $L)", LAYER.nestedClass("LocalResponseNorm"), name,
                    in, shape(y), n.size(), real(n.alpha()), real(n.beta()), real(n.k()));
            case Op.Activation a when a.kind() == Op.ActivationKind.SOFTMAX -> CodeBlock.of("new $T($S, $S, $L)",
                    LAYER.nestedClass("Softmax"), name, in, shape(y));
            case Op.Activation a -> CodeBlock.of("new $T($S, $S, $L, $T.$L, $L)", LAYER.nestedClass("Activation"), name, in, shape(y),
                    ACTIVATION, a.kind().name(), real(a.slope()));
            case Op.Subsample s -> CodeBlock.of("new $T($S, $S, $L, $L, $L, $S)", LAYER.nestedClass("Subsample"), name, in, shape(x),
                    shape(y), window(s.kernel(), s.stride(), Pads.symmetric(0, 0), Hw.square(1)), p);
            case Op.Multiply m -> CodeBlock.of("new $T($S, $S, $L, $L)", LAYER.nestedClass("Multiply"), name, in, shape(y), real(m.factor()));
            case Op.LayerScale s -> CodeBlock.of("new $T($S, $S, $L, $S)", LAYER.nestedClass("LayerScale"), name, in, shape(y), p);
            case Op.EuclideanRbf rbf -> CodeBlock.of("new $T($S, $S, $L, $L, $S)", LAYER.nestedClass("EuclideanRbf"), name, in, shape(x),
                    shape(y), p + ".weight");
            case Op.Add a -> switch (a.mode()) {
                case IDENTITY -> CodeBlock.of("new $T($S, $S, $S, $L)", LAYER.nestedClass("Add"), name, in, ins.get(1), shape(y));
                case SKIPPED -> CodeBlock.of("new $T($S, $S, $L)", LAYER.nestedClass("Identity"), name, in, shape(y));
                case PROJECTED -> CodeBlock.of("new $T($S, $S, $S, $L, $L, $L, $S)", LAYER.nestedClass("ProjectedAdd"), name, in, ins.get(1),
                        shape(r.inputs().get(1)), shape(y), a.projectionStride(), p);
                case UNRESOLVED -> throw new IllegalStateException("unresolved addition " + name);
            };
            case Op.Concat c -> CodeBlock.of("new $T($S, $L, $T.of($L), $L)", LAYER.nestedClass("Concat"), name, listOf(ins), LIST,
                    r.inputs().stream().map(GraphGenerator::shape).collect(CodeBlock.joining(", ")), shape(y));
            case Op.Scale s -> CodeBlock.of("new $T($S, $S, $S, $L)", LAYER.nestedClass("Scale"), name, in, ins.get(1), shape(y));
            case Op.Input i -> throw new IllegalStateException("the input is not a layer");
        };
    }

    /** The shortest readable form: {@code Window.kernel(3).stride(2).pad(1)}. */
    private static CodeBlock window(Hw kernel, Hw stride, Pads pads, Hw dilation) {
        CodeBlock.Builder w = CodeBlock.builder().add("$T.kernel($L)", WINDOW, pair(kernel.h(), kernel.w()));
        if (stride.h() != 1 || stride.w() != 1) {
            w.add(".stride($L)", pair(stride.h(), stride.w()));
        }
        if (!pads.isZero()) {
            boolean even = pads.top() == pads.left() && pads.left() == pads.bottom() && pads.bottom() == pads.right();
            w.add(".pad($L)", even ? Integer.toString(pads.top())
                    : pads.top() + ", " + pads.left() + ", " + pads.bottom() + ", " + pads.right());
        }
        if (dilation.h() != 1 || dilation.w() != 1) {
            w.add(".dilation($L, $L)", dilation.h(), dilation.w());
        }
        return w.build();
    }

    private static String pair(int h, int w) {
        return h == w ? Integer.toString(h) : h + ", " + w;
    }

    static CodeBlock shape(Shape shape) {
        return CodeBlock.of("new $T($L)", SHAPE, dims(shape.dims()));
    }

    /** "3, 224, 224". */
    static String dims(int[] dims) {
        return java.util.Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    }

    private static CodeBlock bias(boolean bias, String prefix) {
        return bias ? CodeBlock.of("$S", prefix + ".bias") : CodeBlock.of("null");
    }

    private static CodeBlock listOf(List<String> values) {
        return CodeBlock.of("$T.of($L)", LIST, values.stream().map(v -> CodeBlock.of("$S", v)).collect(CodeBlock.joining(", ")));
    }

    private static String real(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }
}
