package dev.fovea.processor.codegen;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeSpec;
import dev.fovea.runtime.Shape;
import dev.fovea.processor.cost.MemoryPlan;
import dev.fovea.processor.model.Lineage;
import dev.fovea.processor.report.LayerReport;
import dev.fovea.processor.report.NetworkReport;
import dev.fovea.runtime.weights.Init;
import dev.fovea.runtime.weights.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Generates {@code <Name>Model}: the network's figures as constants, its layer table as {@code INFO},
 * its tensors, and the network itself as {@code GRAPH}, typed layer records that the runtime's planners
 * turn into inference and training sessions. The tables are built in nested classes of at most
 * {@link #LAYERS_PER_PART} layers each, so that no method or class nears the JVM's limits however deep
 * the network.
 */
public final class ModelGenerator {
    static final int LAYERS_PER_PART = 64;

    private static final String RUNTIME = "dev.fovea.runtime";
    private static final ClassName SHAPE = ClassName.get(RUNTIME, "Shape");
    private static final ClassName MODEL_INFO = ClassName.get(RUNTIME, "ModelInfo");
    private static final ClassName LAYER_INFO = ClassName.get(RUNTIME, "LayerInfo");
    private static final ClassName LIST = ClassName.get(List.class);
    private static final ClassName ARRAY_LIST = ClassName.get(ArrayList.class);
    private static final ParameterizedTypeName LAYER_LIST = ParameterizedTypeName.get(LIST, LAYER_INFO);
    private static final ClassName TENSOR_SPEC = ClassName.get(RUNTIME + ".weights", "TensorSpec");
    private static final ClassName INIT = ClassName.get(RUNTIME + ".weights", "Init");
    private static final ClassName PARAMETERS = ClassName.get(RUNTIME + ".weights", "Parameters");
    private static final ParameterizedTypeName TENSOR_LIST = ParameterizedTypeName.get(LIST, TENSOR_SPEC);
    private static final ClassName MODE = ClassName.get(RUNTIME + ".exec", "PlanBuilder").nestedClass("Mode");
    private static final ClassName SESSION = ClassName.get(RUNTIME + ".exec", "InferenceSession");
    private static final ClassName INFERENCE_PLANNER = ClassName.get(RUNTIME + ".plan", "InferencePlanner");
    private static final ClassName TRAINING_PLANNER = ClassName.get(RUNTIME + ".plan", "TrainingPlanner");
    private static final ClassName TRAINING_SESSION = ClassName.get(RUNTIME + ".train", "TrainingSession");
    private static final ClassName NETWORK_GRAPH = GraphGenerator.NETWORK_GRAPH;
    private static final ClassName GRAPH_BUILDER = GraphGenerator.GRAPH_BUILDER;

    private ModelGenerator() {}

    public static String className(NetworkReport report) {
        return report.simpleName() + "Model";
    }

    public static JavaFile generate(String packageName, NetworkReport report) {
        String networkName = report.simpleName();
        TypeSpec.Builder type = TypeSpec.classBuilder(className(report))
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addAnnotation(AnnotationSpec.builder(ClassName.get("javax.annotation.processing", "Generated"))
                        .addMember("value", "$S", "dev.fovea.processor.FoveaProcessor").build())
                .addJavadoc("The compiled form of {@link $L}: its shapes and costs, checked by the compiler.\n", networkName)
                .addJavadoc("\n<p>$L -> $L; $L parameters; $L multiply-accumulates per sample.\n",
                        report.input(), report.output(), grouped(report.params()), grouped(report.macs()));

        type.addField(shapeConstant("INPUT", "Input shape of one sample.", report.input()));
        type.addField(shapeConstant("OUTPUT", "Output shape of one sample.", report.output()));
        type.addField(longConstant("PARAMS", "Learnable parameters (weights and biases).", report.params()));
        type.addField(longConstant("TRAINABLE_PARAMS", "Learnable parameters not frozen.", report.trainableParams()));
        type.addField(longConstant("BUFFER_VALUES", "Batch norm running statistics: state, not parameters.", report.bufferValues()));
        type.addField(longConstant("MACS", "Multiply-accumulates of one sample through convolutions and dense layers.", report.macs()));
        type.addField(longConstant("ACTIVATION_BYTES", "Bytes of all layer outputs for one sample (float32).", report.activationBytes()));
        type.addField(longConstant("PEAK_ACTIVATION_BYTES", "Most activation bytes live at once in inference, for one sample.",
                report.peakActivationBytes()));
        type.addField(longConstant("TRAINING_BYTES_PER_SAMPLE", "What a training session holds per sample: kept outputs, and their gradients in buffers shared by live range.",
                report.training().bytesPerSample()));
        type.addField(longConstant("PARAMETER_GRADIENT_BYTES", "The trainable parameters' gradients, once per training session.",
                report.training().parameterGradientBytes()));
        type.addField(FieldSpec.builder(MODEL_INFO, "INFO", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Every layer with its shape and costs, and the totals.\n")
                .initializer(report.lineage().isEmpty()
                        ? CodeBlock.of("new $T($S, INPUT, OUTPUT, PARAMS, TRAINABLE_PARAMS, BUFFER_VALUES, MACS, ACTIVATION_BYTES,"
                                + " PEAK_ACTIVATION_BYTES, TRAINING_BYTES_PER_SAMPLE, PARAMETER_GRADIENT_BYTES, layers())", MODEL_INFO, report.name())
                        : CodeBlock.of("new $T($S, INPUT, OUTPUT, PARAMS, TRAINABLE_PARAMS, BUFFER_VALUES, MACS, ACTIVATION_BYTES,"
                                + " PEAK_ACTIVATION_BYTES, TRAINING_BYTES_PER_SAMPLE, PARAMETER_GRADIENT_BYTES, layers(), $S)", MODEL_INFO,
                                report.name(), report.lineage().get().base()))
                .build());

        type.addField(FieldSpec.builder(TENSOR_LIST, "TENSORS", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Every tensor the model owns, with PyTorch's names and shapes, in layer order.\n")
                .initializer("tensors()").build());

        report.lineage().ifPresent(lineage -> type.addField(FieldSpec.builder(ParameterizedTypeName.get(LIST, ClassName.get(String.class)),
                        "NEW_TENSORS", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The tensors of this network's own layers, which the base's weights do not have; the others are inherited"
                        + " from\n$L and load from its weights by name ({@code Parameters.loadBase}).\n", lineage.base())
                .initializer("$T.of($L)", LIST, newTensors(report, lineage)).build()));

        type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
        type.addMethod(MethodSpec.methodBuilder("newParameters")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(PARAMETERS)
                .addParameter(long.class, "seed")
                .addJavadoc("Parameters initialised as PyTorch initialises these layers, reproducibly from {@code seed}.\n")
                .addStatement("return $T.initialized(TENSORS, seed)", PARAMETERS)
                .build());
        type.addMethod(MethodSpec.methodBuilder("summary")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(String.class)
                .addJavadoc("The layer table with output shapes, parameters and MACs, and the totals.\n")
                .addStatement("return INFO.summary()")
                .build());

        List<List<LayerReport>> parts = parts(report.layers());
        type.addField(FieldSpec.builder(NETWORK_GRAPH, "GRAPH", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The network as typed layers, each with the inference buffer of its output.\n")
                .initializer("graph()").build());
        addSessions(type);
        List<TensorSpec> tensors = report.layers().stream().flatMap(l -> l.cost().tensors().stream()).toList();
        type.addMethod(collect("layers", LAYER_LIST, report.layers().size(), parts.size()));
        type.addMethod(collect("tensors", TENSOR_LIST, tensors.size(), parts.size()));
        String sizes = java.util.Arrays.stream(report.memory().bufferBytes()).mapToObj(b -> Long.toString(b / MemoryPlan.FLOAT_BYTES))
                .collect(Collectors.joining(", "));
        MethodSpec.Builder graph = MethodSpec.methodBuilder("graph")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(NETWORK_GRAPH)
                .addComment("the sizes of the activation buffers for one sample, in floats")
                .addStatement("$T g = $T.builder(INPUT, $L)", GRAPH_BUILDER, NETWORK_GRAPH, sizes);
        for (int i = 0; i < parts.size(); i++) {
            graph.addStatement("Part$L.graph(g)", i);
        }
        type.addMethod(graph.addStatement("return g.build()").build());
        int first = 0;
        for (int i = 0; i < parts.size(); i++) {
            type.addType(part(i, first, parts.get(i), report));
            first += parts.get(i).size();
        }
        return JavaFile.builder(packageName, type.build())
                .addFileComment("Generated by Fovea from $L. Do not edit: change the network and recompile.", networkName)
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
    }

    private static void addSessions(TypeSpec.Builder type) {
        type.addMethod(sessionMethod("session", SESSION)
                .addJavadoc("A session that runs batches of {@code batch} samples on {@code threads} threads, with the fast kernels.\n")
                .addStatement("return session(parameters, batch, threads, $T.FAST)", MODE)
                .build());
        type.addMethod(sessionMethod("session", SESSION)
                .addParameter(MODE, "mode")
                .addJavadoc("A session in the given mode: {@code REFERENCE} runs the plain kernels, unfused, for checking.\n")
                .addStatement("return $T.session(GRAPH, parameters, batch, threads, mode)", INFERENCE_PLANNER)
                .build());
        type.addMethod(sessionMethod("trainingSession", TRAINING_SESSION)
                .addJavadoc("A session that trains {@code parameters} in place on batches of {@code batch} samples; it also runs them in eval mode.\n")
                .addStatement("return $T.session(GRAPH, parameters, batch, threads)", TRAINING_PLANNER)
                .build());
    }

    /** {@code public static <returns> name(Parameters parameters, int batch, int threads)}, to be completed. */
    private static MethodSpec.Builder sessionMethod(String name, ClassName returns) {
        return MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(returns)
                .addParameter(PARAMETERS, "parameters")
                .addParameter(int.class, "batch")
                .addParameter(int.class, "threads");
    }

    /** {@code layers()} or {@code tensors()}: every part's entries, in order, in one list. */
    private static MethodSpec collect(String name, ParameterizedTypeName listType, int size, int parts) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(listType)
                .addStatement("$T $L = new $T<>($L)", listType, name, ARRAY_LIST, size);
        for (int i = 0; i < parts; i++) {
            m.addStatement("Part$L.$L($L)", i, name, name);
        }
        return m.addStatement("return $T.copyOf($L)", LIST, name).build();
    }

    /**
     * One part of the tables: its layers' rows, tensors and graph records, in a class of its own so that
     * no class nears the JVM's limit of 65,535 constants however deep the network.
     */
    private static TypeSpec part(int index, int first, List<LayerReport> layers, NetworkReport report) {
        MethodSpec.Builder rows = MethodSpec.methodBuilder("layers")
                .addModifiers(Modifier.STATIC)
                .addParameter(LAYER_LIST, "layers");
        MethodSpec.Builder tensors = MethodSpec.methodBuilder("tensors")
                .addModifiers(Modifier.STATIC)
                .addParameter(TENSOR_LIST, "tensors");
        MethodSpec.Builder graph = MethodSpec.methodBuilder("graph")
                .addModifiers(Modifier.STATIC)
                .addParameter(GRAPH_BUILDER, "g");
        for (int at = first; at < first + layers.size(); at++) {
            LayerReport l = layers.get(at - first);
            CodeBlock inputs = l.inputs().stream().map(n -> CodeBlock.of("$S", n)).collect(CodeBlock.joining(", "));
            String role = report.role(l);
            if (role.isEmpty()) {
                rows.addStatement("layers.add(new $T($S, $S, $S, $T.of($L), $L, $L, $L, $L))", LAYER_INFO, l.name(), l.type(), l.detail(),
                        LIST, inputs, GraphGenerator.shape(l.layer().output()), longLiteral(l.cost().params()), longLiteral(l.cost().macs()),
                        longLiteral(report.training().layerBytes().get(at)));
            } else {
                rows.addStatement("layers.add(new $T($S, $S, $S, $T.of($L), $L, $L, $L, $L, $S))", LAYER_INFO, l.name(), l.type(), l.detail(),
                        LIST, inputs, GraphGenerator.shape(l.layer().output()), longLiteral(l.cost().params()), longLiteral(l.cost().macs()),
                        longLiteral(report.training().layerBytes().get(at)), role);
            }
            for (TensorSpec t : l.cost().tensors()) {
                tensors.addStatement("tensors.add(new $T($S, new int[] {$L}, $L, $L))", TENSOR_SPEC, t.name(), GraphGenerator.dims(t.shape()),
                        t.buffer(), init(t.init()));
            }
            graph.addCode(GraphGenerator.add(l, report.memory()));
        }
        return TypeSpec.classBuilder("Part" + index)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Layers $L to $L.\n", first, first + layers.size() - 1)
                .addMethod(rows.build())
                .addMethod(tensors.build())
                .addMethod(graph.build())
                .build();
    }

    private static CodeBlock init(Init init) {
        return switch (init.kind()) {
            case ZEROS -> CodeBlock.of("$T.ZEROS", INIT);
            case CONSTANT -> init.value() == 1 ? CodeBlock.of("$T.ONES", INIT) : CodeBlock.of("$T.constant($L)", INIT, init.value());
            case UNIFORM_FAN_IN -> CodeBlock.of("$T.fanIn($L)", INIT, (int) init.value());
        };
    }

    private static List<List<LayerReport>> parts(List<LayerReport> layers) {
        List<List<LayerReport>> parts = new ArrayList<>();
        for (int i = 0; i < layers.size(); i += LAYERS_PER_PART) {
            parts.add(layers.subList(i, Math.min(layers.size(), i + LAYERS_PER_PART)));
        }
        return parts;
    }

    private static FieldSpec shapeConstant(String name, String doc, Shape shape) {
        return FieldSpec.builder(SHAPE, name, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L: $L.\n", doc.substring(0, doc.length() - 1), shape)
                .initializer(GraphGenerator.shape(shape))
                .build();
    }

    private static FieldSpec longConstant(String name, String doc, long value) {
        return FieldSpec.builder(long.class, name, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L\n", doc)
                .initializer("$L", longLiteral(value))
                .build();
    }

    /** "fc.weight", "fc.bias": the tensors of the layers a derived network replaces or adds. */
    private static CodeBlock newTensors(NetworkReport report, Lineage lineage) {
        return report.layers().stream().filter(l -> lineage.originOf(l.name()) != Lineage.Origin.INHERITED)
                .flatMap(l -> l.cost().tensors().stream()).map(t -> CodeBlock.of("$S", t.name())).collect(CodeBlock.joining(", "));
    }

    /** 62_378_344L: readable in the generated source. */
    static String longLiteral(long value) {
        return grouped(value).replace(',', '_') + "L";
    }

    private static String grouped(long value) {
        return String.format(java.util.Locale.ROOT, "%,d", value);
    }
}
