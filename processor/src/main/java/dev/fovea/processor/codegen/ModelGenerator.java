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
import dev.fovea.processor.report.LayerReport;
import dev.fovea.processor.report.NetworkReport;
import dev.fovea.runtime.weights.Init;
import dev.fovea.runtime.weights.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Generates {@code <Name>Model}: the network's figures as constants and its layer table as
 * {@code INFO}. The table is built in methods of at most {@link #LAYERS_PER_METHOD} layers, so that no
 * method nears the JVM's limits however deep the network.
 */
public final class ModelGenerator {
    static final int LAYERS_PER_METHOD = 64;

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
    static final int TENSORS_PER_METHOD = 128;

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
        type.addField(FieldSpec.builder(MODEL_INFO, "INFO", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Every layer with its shape and costs, and the totals.\n")
                .initializer("new $T($S, INPUT, OUTPUT, PARAMS, TRAINABLE_PARAMS, BUFFER_VALUES, MACS, ACTIVATION_BYTES,"
                        + " PEAK_ACTIVATION_BYTES, layers())", MODEL_INFO, report.name())
                .build());

        type.addField(FieldSpec.builder(TENSOR_LIST, "TENSORS", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Every tensor the model owns, with PyTorch's names and shapes, in layer order.\n")
                .initializer("tensors()").build());

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

        List<List<LayerReport>> chunks = chunks(report.layers());
        MethodSpec.Builder layers = MethodSpec.methodBuilder("layers")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(LAYER_LIST)
                .addStatement("$T layers = new $T<>($L)", LAYER_LIST, ARRAY_LIST, report.layers().size());
        for (int i = 0; i < chunks.size(); i++) {
            layers.addStatement("layers$L(layers)", i);
        }
        type.addMethod(layers.addStatement("return $T.copyOf(layers)", LIST).build());
        int first = 0;
        for (int i = 0; i < chunks.size(); i++) {
            type.addMethod(chunk(i, first, chunks.get(i)));
            first += chunks.get(i).size();
        }
        addTensors(type, report);
        PlanGenerator.addTo(type, report);
        return JavaFile.builder(packageName, type.build())
                .addFileComment("Generated by Fovea from $L. Do not edit: change the network and recompile.", networkName)
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
    }

    private static MethodSpec chunk(int index, int first, List<LayerReport> layers) {
        MethodSpec.Builder m = MethodSpec.methodBuilder("layers" + index)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(LAYER_LIST, "layers")
                .addComment("layers $L to $L", first, first + layers.size() - 1);
        for (LayerReport l : layers) {
            CodeBlock inputs = l.inputs().stream().map(n -> CodeBlock.of("$S", n)).collect(CodeBlock.joining(", "));
            m.addStatement("layers.add(new $T($S, $S, $S, $T.of($L), $L, $L, $L))", LAYER_INFO, l.name(), l.type(), l.detail(),
                    LIST, inputs, newShape(l.layer().output()), longLiteral(l.cost().params()), longLiteral(l.cost().macs()));
        }
        return m.build();
    }

    private static void addTensors(TypeSpec.Builder type, NetworkReport report) {
        List<TensorSpec> tensors = report.layers().stream().flatMap(l -> l.cost().tensors().stream()).toList();
        int chunks = (tensors.size() + TENSORS_PER_METHOD - 1) / TENSORS_PER_METHOD;
        MethodSpec.Builder all = MethodSpec.methodBuilder("tensors")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(TENSOR_LIST)
                .addStatement("$T tensors = new $T<>($L)", TENSOR_LIST, ARRAY_LIST, tensors.size());
        for (int i = 0; i < chunks; i++) {
            all.addStatement("tensors$L(tensors)", i);
        }
        type.addMethod(all.addStatement("return $T.copyOf(tensors)", LIST).build());
        for (int i = 0; i < chunks; i++) {
            MethodSpec.Builder m = MethodSpec.methodBuilder("tensors" + i)
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addParameter(TENSOR_LIST, "tensors");
            for (TensorSpec t : tensors.subList(i * TENSORS_PER_METHOD, Math.min(tensors.size(), (i + 1) * TENSORS_PER_METHOD))) {
                String dims = java.util.Arrays.stream(t.shape()).mapToObj(Integer::toString).collect(Collectors.joining(", "));
                m.addStatement("tensors.add(new $T($S, new int[] {$L}, $L, $L))", TENSOR_SPEC, t.name(), dims, t.buffer(), init(t.init()));
            }
            type.addMethod(m.build());
        }
    }

    private static CodeBlock init(Init init) {
        return switch (init.kind()) {
            case ZEROS -> CodeBlock.of("$T.ZEROS", INIT);
            case CONSTANT -> init.value() == 1 ? CodeBlock.of("$T.ONES", INIT) : CodeBlock.of("$T.constant($L)", INIT, init.value());
            case UNIFORM_FAN_IN -> CodeBlock.of("$T.fanIn($L)", INIT, (int) init.value());
        };
    }

    private static List<List<LayerReport>> chunks(List<LayerReport> layers) {
        List<List<LayerReport>> chunks = new ArrayList<>();
        for (int i = 0; i < layers.size(); i += LAYERS_PER_METHOD) {
            chunks.add(layers.subList(i, Math.min(layers.size(), i + LAYERS_PER_METHOD)));
        }
        return chunks;
    }

    private static FieldSpec shapeConstant(String name, String doc, Shape shape) {
        return FieldSpec.builder(SHAPE, name, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L: $L.\n", doc.substring(0, doc.length() - 1), shape)
                .initializer(newShape(shape))
                .build();
    }

    private static FieldSpec longConstant(String name, String doc, long value) {
        return FieldSpec.builder(long.class, name, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L\n", doc)
                .initializer("$L", longLiteral(value))
                .build();
    }

    private static CodeBlock newShape(Shape shape) {
        String dims = java.util.Arrays.stream(shape.dims()).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        return CodeBlock.of("new $T($L)", SHAPE, dims);
    }

    /** 62_378_344L: readable in the generated source. */
    static String longLiteral(long value) {
        return grouped(value).replace(',', '_') + "L";
    }

    private static String grouped(long value) {
        return String.format(java.util.Locale.ROOT, "%,d", value);
    }
}
