package dev.fovea.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import dev.fovea.onnx.OnnxGraph.Int;
import dev.fovea.onnx.OnnxGraph.Ints;
import dev.fovea.onnx.OnnxGraph.Real;
import dev.fovea.onnx.importer.ImportException;
import dev.fovea.onnx.importer.OnnxImport;
import dev.fovea.onnx.importer.OnnxImport.ImportedNetwork;
import dev.fovea.runtime.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The importer on graphs built here: the source it writes for a small network with a repeated residual
 * block, a squeeze-excitation gate and PyTorch's ways of writing ReLU6 and SiLU (golden files), the
 * weights under the names that source gives them, and one error naming every operator it cannot express.
 * it-tests' OnnxImportTest compiles what it writes for torchvision's models and compares logits with PyTorch's.
 */
class OnnxImportTest {
    @TempDir
    Path dir;

    private final Random random = new Random(7);

    private float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    /** A convolution whose tensors are called {@code name}.weight and .bias and whose node is {@code scope}/Conv. */
    private String conv(OnnxGraph g, String name, String scope, String x, int in, int out, int kernel, int pad, boolean bias) {
        String w = g.floats(name + ".weight", values(out * in * kernel * kernel), out, in, kernel, kernel);
        List<String> inputs = bias ? List.of(x, w, g.floats(name + ".bias", values(out), out)) : List.of(x, w);
        return g.node("Conv", scope + "/Conv", inputs, new Ints("kernel_shape", kernel, kernel),
                new Ints("pads", pad, pad, pad, pad), new Ints("strides", 1, 1));
    }

    private String residual(OnnxGraph g, String stage, int index, String x) {
        String scope = "/" + stage + "/" + stage + "." + index;
        String c1 = conv(g, stage + "." + index + ".conv1", scope + "/conv1", x, 8, 8, 3, 1, false);
        String r1 = g.node("Relu", scope + "/relu/Relu", List.of(c1));
        String c2 = conv(g, stage + "." + index + ".conv2", scope + "/conv2", r1, 8, 8, 3, 1, false);
        String sum = g.node("Add", scope + "/Add", List.of(c2, x));
        return g.node("Relu", scope + "/relu_1/Relu", List.of(sum));
    }

    /** A small network as PyTorch names its nodes: stem, two residual blocks, a gate, ReLU6 as Clip, SiLU as x * sigmoid(x), a head. */
    private Path tinyNetwork() throws IOException {
        OnnxGraph g = new OnnxGraph("tiny");
        g.input("input", new Shape(3, 8, 8));
        String x = conv(g, "conv1", "/conv1", "input", 3, 8, 3, 1, true);
        x = g.node("BatchNormalization", "/bn1/BatchNormalization", List.of(x, g.floats("bn1.weight", values(8), 8),
                g.floats("bn1.bias", values(8), 8), g.floats("bn1.running_mean", values(8), 8),
                g.floats("bn1.running_var", new float[] {1, 2, 1, 2, 1, 2, 1, 2}, 8)), new Real("epsilon", 1e-3f), new Real("momentum", 0.99f));
        x = g.node("Relu", "/relu/Relu", List.of(x));
        x = residual(g, "stage", 0, x);
        x = residual(g, "stage", 1, x);
        x = g.node("MaxPool", "/pool/MaxPool", List.of(x), new Ints("kernel_shape", 2, 2), new Ints("strides", 2, 2));
        String squeeze = g.node("GlobalAveragePool", "/se/GlobalAveragePool", List.of(x));
        String excite = conv(g, "se.fc", "/se/fc", squeeze, 8, 8, 1, 0, true);
        String gate = g.node("Sigmoid", "/se/Sigmoid", List.of(excite));
        x = g.node("Mul", "/se/Mul", List.of(x, gate));
        x = g.node("Clip", "/act/Clip", List.of(x, g.scalar("zero", 0), g.scalar("six", 6)));
        String sigmoid = g.node("Sigmoid", "/silu/Sigmoid", List.of(x));
        x = g.node("Mul", "/silu/Mul", List.of(x, sigmoid));
        x = g.node("Mul", "/scale/Mul", List.of(x, g.scalar("half", 0.5f)));
        x = g.node("GlobalAveragePool", "/avgpool/GlobalAveragePool", List.of(x));
        x = g.node("Flatten", "/Flatten", List.of(x), new Int("axis", 1));
        x = g.node("Gemm", "/fc/Gemm", List.of(x, g.floats("fc.weight", values(8 * 4), 8, 4), g.floats("fc.bias", values(4), 4)),
                new Real("alpha", 2f), new Real("beta", 0.5f));
        g.output(x, new Shape(4));
        return write(g, "tiny.onnx");
    }

    private Path write(OnnxGraph g, String file) throws IOException {
        ModelProto model = ModelProto.newBuilder().setIrVersion(8).setProducerName("pytorch").setProducerVersion("1.13.0")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g.build()).build();
        Path path = dir.resolve(file);
        Files.write(path, model.toByteArray());
        return path;
    }

    @Test
    void writesReadableSourceWithTheRepeatedBlockFound() throws Exception {
        ImportedNetwork network = OnnxImport.read(tinyNetwork(), "demo", "Tiny", null);
        assertEquals(List.of("demo/Tiny.java", "demo/TinyBlock1.java"), List.copyOf(network.sources().keySet()));
        assertEquals(golden("Tiny.java"), network.sources().get("demo/Tiny.java"));
        assertEquals(golden("TinyBlock1.java"), network.sources().get("demo/TinyBlock1.java"));
        // conv1 224 + bn1 16 + two blocks of 2 x 576 + se.fc 72 + fc 36
        assertEquals(224 + 16 + 4 * 576 + 72 + 36, network.parameters());
    }

    private static String golden(String file) throws IOException {
        try (var in = OnnxImportTest.class.getResourceAsStream("/golden/" + file)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void weightsTakeTheNamesOfTheWrittenSourceWithGemmFoldedIntoDense() throws Exception {
        Path file = tinyNetwork();
        ImportedNetwork network = OnnxImport.read(file, "demo", "Tiny", null);
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv1.batchnorm.weight", "conv1.batchnorm.bias", "conv1.batchnorm.running_mean",
                "conv1.batchnorm.running_var", "stage.0.conv1.weight", "stage.0.conv2.weight", "stage.1.conv1.weight",
                "stage.1.conv2.weight", "se_fc.weight", "se_fc.bias", "fc.weight", "fc.bias"), List.copyOf(network.weights().keySet()));
        assertArrayEquals(new float[] {1, 2, 1, 2, 1, 2, 1, 2}, network.weights().get("conv1.batchnorm.running_var").data());
        // Gemm without transB holds [in, out]; Dense's weight is [out, in], times alpha; the bias times beta
        Map<String, dev.fovea.runtime.weights.LoadedTensor> original = dev.fovea.runtime.weights.SafeTensors.read(written(network));
        float[] gemm = onnxTensor(file, "fc.weight");
        float[] dense = original.get("fc.weight").data();
        assertArrayEquals(new int[] {4, 8}, original.get("fc.weight").shape());
        for (int o = 0; o < 4; o++) {
            for (int i = 0; i < 8; i++) {
                assertEquals(2 * gemm[i * 4 + o], dense[o * 8 + i], 0);
            }
        }
        assertEquals(0.5f * onnxTensor(file, "fc.bias")[3], original.get("fc.bias").data()[3], 0);
    }

    private Path written(ImportedNetwork network) {
        Path weights = dir.resolve("out/tiny.safetensors");
        List<Path> files = network.write(dir.resolve("out/src"), weights);
        assertEquals(List.of(dir.resolve("out/src/demo/Tiny.java"), dir.resolve("out/src/demo/TinyBlock1.java"), weights), files);
        return weights;
    }

    private static float[] onnxTensor(Path file, String name) throws IOException {
        var t = ModelProto.parseFrom(Files.readAllBytes(file)).getGraph().getInitializerList().stream().filter(i -> i.getName().equals(name))
                .findFirst().orElseThrow();
        float[] v = new float[t.getRawData().size() / 4];
        t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    @Test
    void oneErrorNamesEveryOperatorTheDslCannotExpress() throws Exception {
        OnnxGraph g = new OnnxGraph("unsupported");
        g.input("input", new Shape(3, 8, 8));
        String x = g.node("Resize", "/up/Resize", List.of("input"));
        x = g.node("Resize", "/up_1/Resize", List.of(x));
        String w = g.floats("w", values(4 * 3 * 3 * 3), 4, 3, 3, 3);
        String y = g.node("Conv", "/pad/Conv", List.of("input", w), new Ints("kernel_shape", 3, 3), new Ints("pads", 0, 0, 1, 1));
        String z = g.node("Erf", "/erf/Erf", List.of(y));
        g.output(g.node("Add", "/Add", List.of(z, x)), new Shape(4, 8, 8));
        ImportException e = assertThrows(ImportException.class, () -> OnnxImport.read(write(g, "odd.onnx"), "demo", "Odd", null));
        assertEquals("odd.onnx: cannot import: operators the Fovea DSL cannot express: Resize (2 nodes: /up/Resize, /up_1/Resize); "
                + "Conv with asymmetric padding (1 node: /pad/Conv); Erf (1 node: /erf/Erf)", e.getMessage());
    }

    @Test
    void aFileThatIsNotOnnxIsSaidToBeSo() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.onnx"), "these are notes, not a model");
        assertEquals("notes.onnx: not an ONNX model", assertThrows(ImportException.class,
                () -> OnnxImport.read(text, "demo", "Notes", null)).getMessage().replaceAll(" \\(.*", ""));
        assertEquals("--name 3d is not a Java class name", assertThrows(ImportException.class,
                () -> OnnxImport.read(tinyNetwork(), "demo", "3d", null)).getMessage());
    }
}
