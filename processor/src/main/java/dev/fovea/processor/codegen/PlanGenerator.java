package dev.fovea.processor.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.fovea.processor.cost.MemoryPlan;
import dev.fovea.processor.graph.Node;
import dev.fovea.processor.graph.Op;
import dev.fovea.processor.infer.Resolved;
import dev.fovea.processor.report.LayerReport;
import dev.fovea.processor.report.NetworkReport;
import dev.fovea.runtime.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.lang.model.element.Modifier;

/**
 * Generates the forward pass: {@code session(parameters, batch, threads)} and the {@code steps<i>}
 * methods that call the runtime's {@code PlanBuilder} once per layer, with the layer's static shape, its
 * weights' names, and the buffers of the compiler's live-range plan. Each call carries a comment with
 * the layer and its shapes, so the generated class reads as the network's execution plan.
 */
final class PlanGenerator {
    private static final ClassName BUILDER = ClassName.get("dev.fovea.runtime.exec", "PlanBuilder");
    private static final ClassName MODE = BUILDER.nestedClass("Mode");
    private static final ClassName SESSION = ClassName.get("dev.fovea.runtime.exec", "InferenceSession");
    private static final ClassName PARAMETERS = ClassName.get("dev.fovea.runtime.weights", "Parameters");
    private static final ClassName ACTIVATION = ClassName.get("dev.fovea.runtime.kernels", "Activation");
    static final int STEPS_PER_METHOD = 48;

    private PlanGenerator() {}

    static void addTo(TypeSpec.Builder type, NetworkReport report) {
        MemoryPlan plan = report.memory();
        CodeBlock sizes = java.util.Arrays.stream(plan.bufferBytes())
                .mapToObj(b -> CodeBlock.of("$L", b / MemoryPlan.FLOAT_BYTES)).collect(CodeBlock.joining(", "));
        type.addField(com.palantir.javapoet.FieldSpec.builder(int[].class, "BUFFER_FLOATS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Floats per sample of each activation buffer of the live-range plan.\n")
                .initializer("{$L}", sizes).build());

        type.addMethod(MethodSpec.methodBuilder("session")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(SESSION)
                .addParameter(PARAMETERS, "parameters")
                .addParameter(int.class, "batch")
                .addParameter(int.class, "threads")
                .addJavadoc("A session that runs batches of {@code batch} samples on {@code threads} threads, with the fast kernels.\n")
                .addStatement("return session(parameters, batch, threads, $T.FAST)", MODE)
                .build());

        List<LayerReport> layers = report.layers();
        MethodSpec.Builder session = MethodSpec.methodBuilder("session")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(SESSION)
                .addParameter(PARAMETERS, "parameters")
                .addParameter(int.class, "batch")
                .addParameter(int.class, "threads")
                .addParameter(MODE, "mode")
                .addJavadoc("A session in the given mode: {@code REFERENCE} runs the plain kernels, unfused, for checking.\n")
                .addStatement("$T b = new $T(parameters, batch, mode, $L, BUFFER_FLOATS)", BUILDER, BUILDER, report.input().elements());
        int chunks = (layers.size() + STEPS_PER_METHOD - 1) / STEPS_PER_METHOD;
        for (int i = 0; i < chunks; i++) {
            session.addStatement("steps$L(b)", i);
        }
        session.addStatement("return b.build($L, INPUT, OUTPUT, threads)", plan.buffer()[report.inferred().graph().output()]);
        type.addMethod(session.build());

        for (int i = 0; i < chunks; i++) {
            MethodSpec.Builder m = MethodSpec.methodBuilder("steps" + i)
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addParameter(BUILDER, "b");
            for (LayerReport l : layers.subList(i * STEPS_PER_METHOD, Math.min(layers.size(), (i + 1) * STEPS_PER_METHOD))) {
                String what = l.detail().isEmpty() ? l.type() : l.type() + " " + l.detail();
                m.addComment("$L: $L, $L -> $L", l.name(), what, shapes(l.layer().inputs()), l.layer().output());
                m.addStatement(call(l.layer(), plan));
            }
            type.addMethod(m.build());
        }
    }

    private static String shapes(List<Shape> shapes) {
        return String.join(" + ", shapes.stream().map(Shape::toString).toList());
    }

    private static CodeBlock call(Resolved r, MemoryPlan plan) {
        Node node = r.node();
        int out = plan.buffer()[node.id()];
        int in = plan.buffer()[node.inputs().getFirst()];
        String name = node.name();
        String p = node.paramName();
        Shape x = r.input();
        Shape y = r.output();
        int count = (int) y.elements();
        int positions = y.isSpatial() ? y.height() * y.width() : 1;
        return switch (r.op()) {
            case Op.Conv c when c.isPartial() -> CodeBlock.of("b.conv2dPartial($S, $L, $L, $S, $L, new String[] {$L}, $L, $L, $L, $L, $L, $L, $L, $L)",
                    name, in, out, p + ".weight", bias(c.bias(), p), strings(c.connections()), x.channels(), x.height(), x.width(),
                    y.channels(), y.height(), y.width(), c.kernel().h(), c.kernel().w());
            case Op.Conv c -> CodeBlock.of("b.conv2d($S, $L, $L, $S, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)",
                    name, in, out, p + ".weight", bias(c.bias(), p), x.channels(), x.height(), x.width(), y.channels(), y.height(),
                    y.width(), c.kernel().h(), c.kernel().w(), c.stride().h(), c.stride().w(), c.padding().top(), c.padding().left(),
                    c.dilation().h(), c.dilation().w(), c.groups());
            case Op.Dense d when d.pointwise() -> CodeBlock.of(
                    "b.conv2d($S, $L, $L, $S, $L, $L, $L, $L, $L, $L, $L, 1, 1, 1, 1, 0, 0, 1, 1, 1)", name, in, out, p + ".weight",
                    bias(d.bias(), p), x.channels(), x.height(), x.width(), y.channels(), y.height(), y.width());
            case Op.Dense d -> CodeBlock.of("b.dense($S, $L, $L, $S, $L, $L, $L)", name, in, out, p + ".weight", bias(d.bias(), p),
                    x.elements(), d.units());
            case Op.ConvTranspose t -> CodeBlock.of(
                    "b.convTranspose2d($S, $L, $L, $S, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", name, in, out,
                    p + ".weight", bias(t.bias(), p), x.channels(), x.height(), x.width(), y.channels(), y.height(), y.width(),
                    t.kernel().h(), t.kernel().w(), t.stride().h(), t.stride().w(), t.padding().h(), t.padding().w(), t.dilation().h(),
                    t.dilation().w(), t.groups());
            case Op.Pool pool -> CodeBlock.of(
                    "b.pool2d($S, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", name,
                    pool.kind() == Op.PoolKind.MAX, in, out, x.channels(), x.height(), x.width(), y.height(), y.width(), pool.kernel().h(),
                    pool.kernel().w(), pool.stride().h(), pool.stride().w(), pool.padding().top(), pool.padding().left(),
                    pool.padding().bottom(), pool.padding().right(), pool.dilation().h(), pool.dilation().w(), pool.countIncludePad());
            case Op.AdaptiveAvgPool a -> CodeBlock.of("b.adaptiveAvgPool2d($S, $L, $L, $L, $L, $L, $L, $L)", name, in, out, x.channels(),
                    x.height(), x.width(), y.height(), y.width());
            case Op.Flatten f -> CodeBlock.of("b.identity($S, $L, $L, $L)", name, in, out, count);
            case Op.Dropout d -> CodeBlock.of("b.identity($S, $L, $L, $L)", name, in, out, count);
            case Op.BatchNorm n -> CodeBlock.of("b.batchNorm($S, $L, $L, $S, $L, $L, $L)", name, in, out, p, real(n.eps()), y.channels(),
                    positions);
            case Op.LayerNorm n -> CodeBlock.of("b.layerNorm($S, $L, $L, $S, $L, $L, $L)", name, in, out, p, real(n.eps()), y.channels(),
                    positions);
            case Op.LocalResponseNorm n -> CodeBlock.of("b.localResponseNorm($S, $L, $L, $L, $L, $L, $L, $L, $L)", name, in, out,
                    n.size(), real(n.alpha()), real(n.beta()), real(n.k()), y.channels(), positions);
            case Op.Activation a when a.kind() == Op.ActivationKind.SOFTMAX -> CodeBlock.of("b.softmax($S, $L, $L, $L, $L)", name, in,
                    out, y.channels(), positions);
            case Op.Activation a -> CodeBlock.of("b.activation($S, $L, $L, $T.$L, $L, $L)", name, in, out, ACTIVATION,
                    a.kind().name(), real(a.slope()), count);
            case Op.Subsample s -> CodeBlock.of("b.subsample($S, $L, $L, $S, $L, $L, $L, $L, $L, $L, $L, $L, $L)", name, in, out, p,
                    x.channels(), x.height(), x.width(), y.height(), y.width(), s.kernel().h(), s.kernel().w(), s.stride().h(),
                    s.stride().w());
            case Op.LayerScale s -> CodeBlock.of("b.layerScale($S, $L, $L, $S, $L, $L)", name, in, out, p, y.channels(), positions);
            case Op.EuclideanRbf rbf -> CodeBlock.of("b.euclideanRbf($S, $L, $L, $S, $L, $L)", name, in, out, p + ".weight",
                    x.elements(), rbf.units());
            case Op.Add a -> add(r, a, plan, name, in, out, count);
            case Op.Concat c -> concat(r, plan, name, out, positions);
            case Op.Scale s -> CodeBlock.of("b.scale($S, $L, $L, $L, $L, $L)", name, in, plan.buffer()[node.inputs().get(1)], out,
                    y.channels(), positions);
            case Op.Input i -> throw new IllegalStateException("the input is not a step");
        };
    }

    private static CodeBlock add(Resolved r, Op.Add a, MemoryPlan plan, String name, int in, int out, int count) {
        int shortcut = plan.buffer()[r.node().inputs().get(1)];
        return switch (a.mode()) {
            case IDENTITY -> CodeBlock.of("b.add($S, $L, $L, $L, $L)", name, in, shortcut, out, count);
            case SKIPPED -> CodeBlock.of("b.identity($S, $L, $L, $L)", name, in, out, count);
            case PROJECTED -> {
                Shape s = r.inputs().get(1);
                Shape y = r.output();
                yield CodeBlock.of("b.addProjected($S, $L, $L, $L, $S, $L, $L, $L, $L, $L, $L, $L)", name, in, shortcut, out,
                        r.node().paramName(), s.channels(), s.height(), s.width(), y.channels(), y.height(), y.width(),
                        a.projectionStride());
            }
            case UNRESOLVED -> throw new IllegalStateException("unresolved addition " + name);
        };
    }

    private static CodeBlock concat(Resolved r, MemoryPlan plan, String name, int out, int positions) {
        List<String> ins = new ArrayList<>();
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < r.inputs().size(); i++) {
            ins.add(Integer.toString(plan.buffer()[r.node().inputs().get(i)]));
            channels.add(Integer.toString(r.inputs().get(i).channels()));
        }
        return CodeBlock.of("b.concat($S, new int[] {$L}, new int[] {$L}, $L, $L)", name, String.join(", ", ins),
                String.join(", ", channels), out, positions);
    }

    private static CodeBlock bias(boolean bias, String prefix) {
        return bias ? CodeBlock.of("$S", prefix + ".bias") : CodeBlock.of("null");
    }

    private static CodeBlock strings(List<String> values) {
        return values.stream().map(v -> CodeBlock.of("$S", v)).collect(CodeBlock.joining(", "));
    }

    private static String real(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }
}
