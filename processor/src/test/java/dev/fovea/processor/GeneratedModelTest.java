package dev.fovea.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.fovea.processor.Fovea.source;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.junit.jupiter.api.Test;

/**
 * What the processor writes for a small network: the generated class and the report, compared with
 * golden files (run with {@code -Dfovea.updateGolden=true} to rewrite them after a deliberate change),
 * and the generated class loaded and run.
 */
class GeneratedModelTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    static final JavaFileObject TINY = source("TinyNet", """
            /** A small residual network: conv1 432 + bn1 32 + conv2 2,304 + bn2 32 + fc 170 parameters. */
            @Network(input = {3, 32, 32})
            @Expect(params = 2_970, macs = 1_032_352, output = 10)
            interface TinyNet {
                @Conv2d(filters = 16, kernel = 3, padding = 1, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
                @MaxPool2d(kernel = 2) Layer pool();
                @Conv2d(filters = 16, kernel = 3, padding = 1, bias = false) @BatchNorm(name = "bn2") Layer conv2();
                @Add(from = "pool") @ReLU Layer residual();
                @GlobalAvgPool Layer gap();
                @Flatten Layer flatten();
                @Dense(units = 10) @Softmax Layer fc();
            }
            """);

    @Test
    void generatedSourceMatchesTheGoldenFile() throws IOException {
        Compilation c = Fovea.compile(TINY);
        assertThat(c).succeededWithoutWarnings();
        JavaFileObject generated = c.generatedSourceFile("test.TinyNetModel").orElseThrow();
        assertGolden("TinyNetModel.java", generated.getCharContent(true).toString());
    }

    @Test
    void reportMatchesTheGoldenFile() throws IOException {
        Compilation c = Fovea.compile(TINY);
        JavaFileObject report = c.generatedFile(StandardLocation.CLASS_OUTPUT, "META-INF/fovea/test.TinyNet.json").orElseThrow();
        assertGolden("test.TinyNet.json", report.getCharContent(true).toString());
    }

    @Test
    void generatedClassLoadsAndPrintsItsSummary() throws Exception {
        Class<?> model = load(Fovea.compile(TINY), "test.TinyNetModel");
        assertThat(model.getField("PARAMS").getLong(null)).isEqualTo(2_970L);
        assertThat(model.getField("MACS").getLong(null)).isEqualTo(1_032_352L);
        assertThat(model.getField("OUTPUT").get(null).toString()).isEqualTo("10");
        Method summary = model.getMethod("summary");
        String table = (String) summary.invoke(null);
        assertThat(table).contains("conv1/batchnorm");
        assertThat(table).containsMatch("residual\\s+Add\\s+16x16x16\\s+0\\s+0");
        assertThat(table).containsMatch("fc\\s+Dense\\s+10\\s+170\\s+160");
        assertThat(table).contains("Params:                2,970");
        assertThat(table).contains("MACs:                  1,032,352 (0.00 G)");
    }

    @Test
    void summaryOptionPrintsTheTableAsANote() {
        Compilation c = Fovea.compile(List.of(TINY), "-Afovea.summary=true");
        assertThat(c).succeeded();
        assertThat(c).hadNoteContaining("TinyNet (input 3x32x32)").inFile(TINY).onLineContaining("interface TinyNet");
        assertThat(c.notes().stream().filter(d -> d.getKind() == Diagnostic.Kind.NOTE).count()).isEqualTo(1L);
    }

    @Test
    void deepNetworksSplitTheTablesIntoParts() throws Exception {
        JavaFileObject deep = source("Deep", """
                @Network(input = {4, 8, 8})
                interface Deep { @Conv2d(filters = 4, kernel = 3, padding = 1) @ReLU @Repeat(150) Layer body(); }
                """);
        Compilation c = Fovea.compile(deep);
        String src = c.generatedSourceFile("test.DeepModel").orElseThrow().getCharContent(true).toString();
        assertThat(src).contains("private static final class Part4 {");
        assertThat(src).contains("Layers 256 to 299.");
        assertThat(src).doesNotContain("Part5");
        Class<?> model = load(c, "test.DeepModel");
        Object info = model.getField("INFO").get(null);
        assertThat(((List<?>) info.getClass().getMethod("layers").invoke(info))).hasSize(300);
        Object graph = model.getField("GRAPH").get(null);
        assertThat(((List<?>) graph.getClass().getMethod("layers").invoke(graph))).hasSize(300);
    }

    /**
     * A block's padding that one use does not need (NASNet's separable convolutions pad only when strided)
     * is an identity in the generated graph, not a copy, and keeps nothing for training.
     */
    @Test
    void aBorderOfNothingIsAnIdentity() throws Exception {
        JavaFileObject pads = source("Pads", """
                @Network(input = {2, 4, 4})
                interface Pads {
                    @ZeroPad(top = 0) @Conv2d(filters = 2, kernel = 1) Layer a();
                    @ZeroPad(bottom = 1, right = 1) Layer b();
                }
                """);
        Compilation c = Fovea.compile(pads);
        assertThat(c).succeeded();
        String src = c.generatedSourceFile("test.PadsModel").orElseThrow().getCharContent(true).toString();
        assertThat(src).contains("new Layer.Identity(\"a\", \"input\", new Shape(2, 4, 4))");
        assertThat(src).contains("new Layer.Border(\"b\", \"a/conv2d\", new Shape(2, 4, 4), new Shape(2, 5, 5), 0, 0)");
        // a/conv2d's output 2x4x4 and b's 2x5x5, kept for the backward pass, and their gradients; a copy would add 2 x 32 floats
        assertThat(load(c, "test.PadsModel").getField("TRAINING_BYTES_PER_SAMPLE").get(null)).isEqualTo(2L * (32 + 50) * 4);
    }

    /**
     * A training session holds, per sample: a's output 4x8x8, which its ReLU overwrites in place, without a
     * gradient, since nothing before them trains (256 floats); b's output 2x8x8 and its gradient (2 x 128
     * floats): 2,048 bytes. Once: b's gradients, 2x4x3x3 + 2 = 74 floats.
     */
    @Test
    void trainingMemoryCountsKeptOutputsAndTheGradientsThatFlow() throws Exception {
        JavaFileObject frozen = source("Frozen", """
                @Network(input = {1, 8, 8})
                interface Frozen {
                    @Conv2d(filters = 4, kernel = 3, padding = 1) @ReLU @dev.fovea.annotations.Frozen Layer a();
                    @Conv2d(filters = 2, kernel = 3, padding = 1) Layer b();
                }
                """);
        Compilation c = Fovea.compile(frozen);
        assertThat(c).succeeded();
        Class<?> model = load(c, "test.FrozenModel");
        assertThat(model.getField("TRAINING_BYTES_PER_SAMPLE").get(null)).isEqualTo(2_048L);
        assertThat(model.getField("PARAMETER_GRADIENT_BYTES").get(null)).isEqualTo(296L);
        Object info = model.getField("INFO").get(null);
        String summary = (String) info.getClass().getMethod("summary", int.class).invoke(info, 1024);
        assertThat(summary).contains("Training memory:       0.00 MiB per sample (0.00 MiB of it shared gradient buffers) + 0.00 MiB of "
                + "parameter gradients; 2.00 MiB at batch 1024");
    }

    /**
     * Steps a, a/relu, b, c keep 256 + 0 + 128 + 128 floats per sample: the ReLU writes over a's output,
     * which only it reads and whose convolution's backward pass does not need. Their gradients live over
     * [0, 1], [1, 2], [2, 3] and [3, end] (c's, the logits', is written before the backward pass): two
     * buffers, c's then a/relu's (grown to 256) and b's then a's (grown to 256), so 512 floats, not 768.
     */
    @Test
    void gradientsShareBuffersByLiveRange() throws Exception {
        JavaFileObject chain = source("Chain", """
                @Network(input = {1, 8, 8})
                interface Chain {
                    @Conv2d(filters = 4, kernel = 3, padding = 1) @ReLU Layer a();
                    @Conv2d(filters = 2, kernel = 3, padding = 1) Layer b();
                    @Conv2d(filters = 2, kernel = 3, padding = 1) Layer c();
                }
                """);
        Compilation c = Fovea.compile(chain);
        assertThat(c).succeeded();
        Class<?> model = load(c, "test.ChainModel");
        assertThat(model.getField("TRAINING_BYTES_PER_SAMPLE").get(null)).isEqualTo((512L + 512L) * Float.BYTES);
        Object info = model.getField("INFO").get(null);
        assertThat(info.getClass().getMethod("gradientBytesPerSample").invoke(info)).isEqualTo(512L * Float.BYTES);
    }

    /** Each part is a class of its own, so no class of a 10,000-layer network nears the 65,535-constant limit. */
    @Test
    void tenThousandLayersCompile() throws Exception {
        JavaFileObject deep = source("Deeper", """
                @Network(input = {4, 8, 8})
                interface Deeper { @Conv2d(filters = 4, kernel = 3, padding = 1) @ReLU @Repeat(5000) Layer body(); }
                """);
        Compilation c = Fovea.compile(deep);
        assertThat(c).succeeded();
        Class<?> model = load(c, "test.DeeperModel");
        Object graph = model.getField("GRAPH").get(null);
        assertThat(((List<?>) graph.getClass().getMethod("layers").invoke(graph))).hasSize(10_000);
    }

    private static void assertGolden(String name, String actual) throws IOException {
        Path file = GOLDEN.resolve(name);
        if (Boolean.getBoolean("fovea.updateGolden")) {
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(file)).isTrue();
        assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Loads a class the compilation wrote, with the test's class path behind it for the runtime. */
    static Class<?> load(Compilation c, String name) throws ClassNotFoundException {
        Map<String, byte[]> classes = new HashMap<>();
        for (JavaFileObject f : c.generatedFiles()) {
            if (f.getKind() == JavaFileObject.Kind.CLASS) {
                String path = f.toUri().getPath();
                String binary = path.substring(path.indexOf("/CLASS_OUTPUT/") + "/CLASS_OUTPUT/".length(), path.length() - 6)
                        .replace('/', '.');
                try (InputStream in = f.openInputStream()) {
                    classes.put(binary, in.readAllBytes());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        ClassLoader loader = new ClassLoader(GeneratedModelTest.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String n) throws ClassNotFoundException {
                byte[] bytes = classes.get(n);
                if (bytes == null) {
                    throw new ClassNotFoundException(n);
                }
                return defineClass(n, bytes, 0, bytes.length);
            }
        };
        return loader.loadClass(name);
    }
}
