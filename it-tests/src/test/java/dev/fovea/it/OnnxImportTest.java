package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.SafeTensors;
import dev.fovea.zoo.Zoo;
import dev.fovea.zoo.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * torchvision models exported to ONNX by Debian's PyTorch (batch norm folded into the convolutions, as
 * its eval-mode export does) come back through {@code fovea import} as Java source that compiles with
 * Fovea's processor (its {@code @Expect} holding the file's parameter count) and, with the written
 * weights, gives PyTorch's logits within 1e-4 of the largest. The repeated structures are found: each
 * model's written source uses the blocks named here. Zoo models exported by Fovea itself (batch norm
 * unfolded, squeeze-excitation gates, ReLU6 as Clip, skipped additions as Identity) come back the same way
 * and compute what the zoo model computes.
 */
class OnnxImportTest {
    private static final Path GENERATED = Path.of("target/onnx-import");

    /** torchvision name, Java name, and a line the written network must hold: a block found where the graph repeats. */
    private static final List<List<String>> MODELS = List.of(
            List.of("resnet18", "ResNet18", "@ResNet18Block1(filters = 64) @Repeat(2) Layer layer1();"),
            List.of("mobilenet_v2", "MobileNetV2", "@MobileNetV2Block1(conv_0_0_filters = 144, conv_2_filters = 24) Layer features_3();"),
            List.of("googlenet", "GoogLeNet", "@GoogLeNetBlock1(branch1_conv_filters = 64, branch2_0_conv_filters = 96,"),
            List.of("densenet121", "DenseNet121", "@Concat({\"features_pool0\", \"features_denseblock1_denselayer1_conv2\"}) Layer"),
            List.of("convnext_tiny", "ConvNeXtTiny", "@Dense(units = block_3_units, pointwise = true) @GELU Layer block_3();"),
            List.of("inception_v3", "InceptionV3", "kernel = {1, 7}, padding = {0, 3}) @ReLU Layer"),
            List.of("efficientnet_b0", "EfficientNetB0", "@Conv2d(filters = fc1_filters, kernel = 1) @SiLU Layer fc1();"));

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> torchvisionModelsImportCompileAndGivePyTorchsLogits() {
        return MODELS.stream().map(m -> DynamicTest.dynamicTest(m.get(1), () -> {
            assumeTrue(fixturesAvailable(), "python3-torch and python3-torchvision are not installed");
            check(m.get(0), m.get(1), m.get(2));
        }));
    }

    private void check(String torchName, String javaName, String expectedLine) throws Exception {
        Path sources = importAndCompile(GENERATED.resolve(torchName + ".onnx"), javaName, expectedLine);
        float[] expected = SafeTensors.read(GENERATED.resolve(torchName + ".logits.safetensors")).get("logits").data();
        assertClose(javaName, "PyTorch", runImported(sources, javaName, null, 1), expected);
    }

    @TestFactory
    Stream<DynamicTest> zooModelsExportedByFoveaComeBackAsTheSameNetwork() {
        return Stream.of(List.of("MobileNetV2", "@Add Layer out();"), List.of("SqueezeNet1_1", "@Concat({\"expand1x1\", \"expand3x3\"})"),
                List.of("SeResNet50", "@Scale(from = "), List.of("GoogLeNet", "@BatchNorm(eps = 0.001) @ReLU Layer conv"),
                List.of("ConvNeXtTiny", "@LayerScale Layer"),
                List.of("DenseNet121", "@Repeat(value = 6, label = \"denselayer%d\", firstIndex = 1) Layer denseblock1();"))
                .map(m -> DynamicTest.dynamicTest(m.getFirst(), () -> roundTrip(m.getFirst(), m.get(1))));
    }

    private void roundTrip(String model, String expectedLine) throws Exception {
        Zoo zoo = Zoo.load();
        String name = zoo.find(model).orElseThrow();
        Parameters parameters = zoo.newParameters(name, 42);
        ForwardPassTest.randomizeNorms(parameters, new java.util.Random(1));
        Path weights = dir.resolve(model + ".safetensors");
        SafeTensors.write(weights, parameters.asMap(), Map.of());
        Path onnx = dir.resolve(model + ".onnx");
        assertEquals(0, fovea("export", model, "--weights", weights.toString(), "--output", onnx.toString()));
        Path sources = importAndCompile(onnx, "Imported" + model, expectedLine);
        int batch = 2;
        float[] input = new float[batch * (int) zoo.graph(name).input().elements()];
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        float[] expected;
        try (InferenceSession session = zoo.session(name, parameters, batch, 2)) {
            expected = session.run(input).clone();
        }
        assertClose(model, "the zoo's " + model, runImported(sources, "Imported" + model, input, batch), expected);
    }

    /** The onnx module's golden import (a block, a gate, ReLU6, SiLU, a constant factor, batch norm) is source the processor accepts. */
    @Test
    void theGoldenImportCompiles() throws IOException {
        Path golden = Path.of("../onnx/src/test/resources/golden");
        Path sources = Files.createDirectories(dir.resolve("golden/src/demo"));
        try (Stream<Path> files = Files.list(golden)) {
            for (Path f : files.toList()) {
                Files.copy(f, sources.resolve(f.getFileName()));
            }
        }
        compile(sources.getParent(), dir.resolve("golden/classes"));
        assertTrue(Files.exists(dir.resolve("golden/classes/demo/TinyModel.class")));
    }

    private String lastError = "";

    private int fovea(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        lastError = err.toString();
        return status;
    }

    /** Imports {@code onnx} with the fovea command, checks that the network holds {@code expectedLine}, compiles it; returns the source root. */
    private Path importAndCompile(Path onnx, String javaName, String expectedLine) throws IOException {
        Path sources = dir.resolve(javaName + "/src");
        assertEquals(0, fovea("import", onnx.toString(), "--package", "imported", "--name", javaName, "--output-dir", sources.toString()),
                lastError);
        String network = Files.readString(sources.resolve("imported/" + javaName + ".java"));
        try (Stream<Path> files = Files.list(sources.resolve("imported"))) {
            String all = files.filter(f -> f.toString().endsWith(".java")).map(f -> {
                try {
                    return Files.readString(f);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).reduce(network, String::concat);
            assertTrue(all.contains(expectedLine), all);
        }
        compile(sources, dir.resolve(javaName + "/classes"));
        return sources;
    }

    /** Runs the compiled import with its written weights on a batch ({@code input} null: one sample of the parity input). */
    private float[] runImported(Path sources, String javaName, float[] input, int batch) throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {sources.resolveSibling("classes").toUri().toURL()}, getClass().getClassLoader())) {
            Zoo zoo = Zoo.load(loader);
            String name = zoo.find(javaName).orElseThrow();
            Parameters parameters = zoo.newParameters(name, 0);
            Path weights = sources.resolve(javaName + ".safetensors");
            parameters.load(SafeTensors.read(weights), weights.toString());
            try (InferenceSession session = zoo.session(name, parameters, batch, 2)) {
                if (input == null) {
                    ParityInput.fill(session.input());
                    return session.run().clone();
                }
                return session.run(input).clone();
            }
        }
    }

    private static void assertClose(String model, String reference, float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length);
        double largest = 0;
        for (float v : expected) {
            largest = Math.max(largest, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(actual[i] - expected[i]) <= 1e-4 * largest, model + " output " + i + ": imported " + actual[i] + ", "
                    + reference + " " + expected[i] + " (largest " + largest + ")");
        }
    }

    /** Compiles the written sources with Fovea's processor, as a user's build would. */
    private static Path compile(Path sources, Path classes) throws IOException {
        Files.createDirectories(classes);
        List<String> args = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector", "-Xlint:-incubating", "-classpath",
                System.getProperty("java.class.path"), "-processorpath", System.getProperty("java.class.path"), "-d", classes.toString()));
        try (Stream<Path> files = Files.walk(sources)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        assertEquals(0, status, "javac on the imported source: " + diagnostics);
        return classes;
    }

    private static Boolean available;

    /** Exports the models and their PyTorch logits once per run, if Debian's PyTorch can. */
    private static synchronized boolean fixturesAvailable() throws IOException, InterruptedException {
        if (available == null) {
            available = PyTorchScripts.installed();
            if (available) {
                List<String> args = new ArrayList<>(List.of(GENERATED.toString(), "--onnx"));
                MODELS.forEach(m -> args.add(m.getFirst()));
                available = PyTorchScripts.run("pytorch_parity.py", args, 10);
                assertTrue(available, "pytorch_parity.py --onnx failed though PyTorch is installed");
            }
        }
        return available;
    }
}
