package dev.fovea.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.SafeTensors;
import dev.fovea.zoo.Zoo;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fovea command as a user meets it: output, one-line errors, and exit codes. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listShowsEveryNetworkWithItsFigures() {
        assertEquals(0, run("list"));
        assertTrue(out().contains("Vgg16                    3x224x224        138,357,544     15.470"), out());
        assertTrue(out().contains("SeedAlexNet              3x227x227         62,378,344      1.135"), out());
    }

    @Test
    void summaryFindsModelsWhateverTheCase() {
        assertEquals(0, run("summary", "VGG16"));
        assertTrue(out().startsWith("Vgg16 (input 3x224x224)"), out());
        assertTrue(out().contains("Params:                138,357,544"), out());
    }

    @Test
    void summaryAsJsonIsTheReport() {
        assertEquals(0, run("summary", "seedzfnet", "--json"));
        assertTrue(out().contains("\"params\": 386548840"), out());
    }

    @Test
    void unknownModelSuggestsTheClosestAndExitsTwo() {
        assertEquals(2, run("summary", "vgg61"));
        assertTrue(err().startsWith("fovea: no model 'vgg61' in the zoo; closest: "), err());
        assertTrue(err().contains("Vgg16"), err());
        assertEquals(1, err().lines().count(), err());
        assertEquals("", out());
    }

    @Test
    void usageMistakesAreOneLineAndExitTwo() {
        assertEquals(2, run());
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run("summary"));
        assertEquals(2, run("list", "extra"));
        assertEquals(4, err().lines().count(), err());
        assertTrue(err().lines().allMatch(l -> l.startsWith("fovea: ")), err());
    }

    @Test
    void benchReportsLatencyThroughputAndWhereTheTimeGoes() {
        assertEquals(0, run("bench", "lenet", "--seconds", "1", "--threads", "2", "--json"));
        // how far apart two cores are is measured whenever there are two to measure
        String between = Runtime.getRuntime().availableProcessors() > 1 ? "[1-9][\\d.]*" : "null";
        assertTrue(out().matches("\\{\"model\": \"LeNet\", \"mode\": \"forward\", \"batch\": 1, \"threads\": 2, \"runs\": \\d+, \"median_ms\": [\\d.]+, "
                + "\"p90_ms\": [\\d.]+, \"min_ms\": [\\d.]+, \"images_per_s\": [\\d.]+, \"gflops\": [\\d.]+, \"peak_resident_mib\": [1-9][\\d.]+, "
                + "\"live_heap_mib\": [1-9][\\d.]+, \"core_to_core_ns\": " + between + "}\n"), out());
        out.reset();
        assertEquals(0, run("bench", "lenet", "--seconds", "1", "--batch", "4", "--threads", "1", "--profile"));
        assertTrue(out().startsWith("LeNet, batch 4, 1 thread: median "), out());
        assertTrue(out().matches("(?s)[^\n]*\nMemory: [1-9]\\d* MiB peak resident, [1-9]\\d* MiB of live heap\n.*"), out());
        // which layer is slowest is the machine's to say (a pause can put a pool first): only that the section is there
        assertTrue(out().contains("By layer type:\n") && out().contains("Slowest layers:\n"), out());
        // LeNet's first layer (28-wide rows) runs on the direct kernel, its second (10-wide) as im2col and a product,
        // each a sample at a time with the max pool after it
        assertTrue(out().contains("  Conv2d kxk + MaxPool2d / direct, sample by sample ")
                && out().contains("  Conv2d kxk + MaxPool2d / im2col gemm, sample by sample "), out());
        assertTrue(out().matches("(?s).*\\n  conv1\\+pool1 +[\\d.]+ ms +[\\d.]+ GFLOP/s  direct, sample by sample\\n.*"), out());
    }

    @Test
    void benchTimesATrainingStep() {
        assertEquals(0, run("bench", "lenet", "--train", "--seconds", "1", "--batch", "8", "--threads", "2", "--profile", "--layers", "3"));
        assertTrue(out().startsWith("LeNet training step, batch 8, 2 threads: median "), out());
        assertTrue(out().contains("Forward by layer type:\n  ") && out().contains("Backward by layer type:\n  "), out());
        // LeNet's first convolution runs on wide rows, its second through im2col: the profile says which
        assertTrue(out().matches("(?s).*  Conv2d wide rows +[\\d.]+ ms.*"), out());
        assertTrue(out().matches("(?s).*  Conv2d im2col +[\\d.]+ ms.*"), out());
        // the three slowest layers, each forward and backward; which ones is the machine's to say
        assertTrue(out().matches("(?s).*\nSlowest layers \\(forward, backward\\):\n(  \\S+ +[\\d.]+ ms +([\\d.]+ GFLOP/s)? +[\\d.]+ ms +([\\d.]+ GFLOP/s)?  [^\n]+\n){3}$"),
                out());
        out.reset();
        assertEquals(0, run("bench", "lenet", "--train", "--seconds", "1", "--batch", "8", "--threads", "1", "--profile", "--layers", "50"));
        // every layer listed: conv2 with its multiply-adds counted, and its kernel named
        assertTrue(out().matches("(?s).*\n  conv2 +[\\d.]+ ms +[1-9][\\d.]* GFLOP/s +[\\d.]+ ms +[1-9][\\d.]* GFLOP/s  Conv2d im2col\n.*"), out());
    }

    @Test
    void flagsTakeEitherSpellingAndCompletionIsGenerated() {
        assertEquals(0, run("summary", "lenet", "--batch=4"));
        assertTrue(out().contains("at batch 4"), out());
        assertEquals(0, run("completion"));
        assertTrue(out().contains("complete -F") && out().contains("--checkpoint-every"), "bash completion for every command's flags");
        assertEquals(0, run("infer", "--help"));
        assertTrue(out().contains("Usage: fovea infer [-h] --input=X.safetensors"), out());
        assertEquals(2, run("bench", "lenet", "--frames", "3"));
        assertTrue(err().endsWith("fovea: Unknown options: '--frames', '3'\n"), err());
    }

    @Test
    void helpListsTheCommands() {
        assertEquals(0, run("help"));
        assertTrue(out().contains("summary MODEL [--json]"), out());
        assertEquals(0, run("summary", "--help"));
    }

    @TempDir
    Path dir;

    /** LeNet-5 weights written the way a user would have them: a safetensors file. */
    private Path leNetWeights() {
        Zoo zoo = Zoo.load();
        Parameters p = zoo.newParameters(zoo.find("LeNet5").orElseThrow(), 7);
        Path file = dir.resolve("lenet5.safetensors");
        SafeTensors.write(file, p.asMap(), Map.of());
        return file;
    }

    @Test
    void inferWritesTheLogitsOfEachSample() throws Exception {
        Path weights = leNetWeights();
        float[] x = new float[2 * 32 * 32];
        Random r = new Random(2);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Path input = dir.resolve("x.safetensors");
        SafeTensors.write(input, Map.of("x", new LoadedTensor(new int[] {2, 1, 32, 32}, x)), Map.of());
        Path output = dir.resolve("y.safetensors");
        assertEquals(0, run("infer", "lenet5", "--weights", weights.toString(), "--input", input.toString(), "--output", output.toString()),
                err());
        LoadedTensor logits = SafeTensors.read(output).get("logits");
        assertEquals("[2, 10]", java.util.Arrays.toString(logits.shape()));
        Zoo zoo = Zoo.load();
        String name = zoo.find("LeNet5").orElseThrow();
        Parameters p = zoo.newParameters(name, 0);
        p.load(SafeTensors.read(weights), "w");
        try (InferenceSession s = zoo.session(name, p, 2, 1)) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(s.run(x), logits.data(), 1e-5f);
        }
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(output)));
    }

    @Test
    void inferRejectsBadInputWithOneLine() throws Exception {
        Path weights = leNetWeights();
        Path two = dir.resolve("two.safetensors");
        SafeTensors.write(two, Map.of("a", new LoadedTensor(new int[] {1}, new float[1]), "b", new LoadedTensor(new int[] {1}, new float[1])),
                Map.of());
        Path wrong = dir.resolve("wrong.safetensors");
        SafeTensors.write(wrong, Map.of("x", new LoadedTensor(new int[] {1, 3, 32, 32}, new float[3 * 32 * 32])), Map.of());
        String out = dir.resolve("out.safetensors").toString();
        assertEquals(1, run("infer", "lenet5", "--weights", weights.toString(), "--input", two.toString(), "--output", out));
        assertTrue(err().contains("holds 2 tensors"), err());
        assertEquals(1, run("infer", "lenet5", "--weights", weights.toString(), "--input", wrong.toString(), "--output", out));
        assertTrue(err().contains("is [1, 3, 32, 32] but LeNet5 takes N x 1x32x32"), err());
        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(good, Map.of("x", new LoadedTensor(new int[] {1, 1, 32, 32}, new float[32 * 32])), Map.of());
        assertEquals(1, run("infer", "lenet", "--weights", weights.toString(), "--input", good.toString(), "--output", out));
        assertTrue(err().contains("are these weights for another model?"), err());
        assertEquals(2, run("infer", "lenet5", "--weights", weights.toString(), "--input", wrong.toString()));
        assertTrue(err().contains("Missing required option: '--output=Y.safetensors'"), err());
        assertEquals(4, err().lines().count(), err());
        assertTrue(Files.notExists(Path.of(out)), "nothing written on failure");
    }

    @Test
    void gradWritesTheLossAndEveryGradient() throws Exception {
        Path weights = leNetWeights();
        float[] x = new float[3 * 32 * 32];
        Random r = new Random(4);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Path input = dir.resolve("batch.safetensors");
        SafeTensors.write(input, Map.of("input", new LoadedTensor(new int[] {3, 1, 32, 32}, x), "labels",
                new LoadedTensor(new int[] {3}, new float[] {7, 0, 3})), Map.of());
        Path output = dir.resolve("g.safetensors");
        assertEquals(0, run("grad", "lenet5", "--weights", weights.toString(), "--input", input.toString(), "--output", output.toString(),
                "--threads", "2"), err());
        Map<String, LoadedTensor> written = SafeTensors.read(output);
        Zoo zoo = Zoo.load();
        String name = zoo.find("LeNet5").orElseThrow();
        Parameters p = zoo.newParameters(name, 0);
        p.load(SafeTensors.read(weights), "w");
        try (dev.fovea.runtime.train.TrainingSession s = zoo.trainingSession(name, p, 3, 2)) {
            s.dropout(false);
            double loss = s.forwardBackward(x, new int[] {7, 0, 3});
            assertEquals(loss, written.get("loss").data()[0], 1e-6 * Math.abs(loss));
            assertEquals(s.gradients().names().size() + 1, written.size());
            for (String tensor : s.gradients().names()) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(s.gradients().get(tensor), written.get(tensor).data(), tensor);
            }
        }
        assertTrue(out().contains("loss "), out());
    }

    @Test
    void gradRejectsBadLabelsWithOneLine() throws Exception {
        Path weights = leNetWeights();
        Path input = dir.resolve("batch.safetensors");
        SafeTensors.write(input, Map.of("input", new LoadedTensor(new int[] {1, 1, 32, 32}, new float[32 * 32]), "labels",
                new LoadedTensor(new int[] {1}, new float[] {12})), Map.of());
        String out = dir.resolve("g.safetensors").toString();
        assertEquals(1, run("grad", "lenet5", "--weights", weights.toString(), "--input", input.toString(), "--output", out));
        assertTrue(err().contains("label 12.0 of sample 0 is not a class of LeNet5 (0 to 9)"), err());
        assertEquals(1, err().lines().count(), err());
        assertTrue(Files.notExists(Path.of(out)), "nothing written on failure");
    }

    @Test
    void predictPrintsTheTopLabelsOfEachImage() throws Exception {
        Path weights = leNetWeights();
        BufferedImage image = new BufferedImage(40, 48, BufferedImage.TYPE_INT_RGB);
        image.setRGB(10, 10, 0xffffff);
        Path png = dir.resolve("digit.png");
        ImageIO.write(image, "png", png.toFile());
        assertEquals(0, run("predict", "lenet5", "--weights", weights.toString(), png.toString(), png.toString(), "--top", "3"), err());
        java.util.List<String> lines = out().lines().toList();
        assertEquals(8, lines.size(), out());
        assertEquals(png.toString(), lines.get(0));
        assertTrue(lines.get(1).matches(" +\\d+\\.\\d\\d%  class \\d"), lines.get(1));
        assertEquals(lines.subList(1, 4), lines.subList(5, 8), "the same image gives the same labels");
    }

    @Test
    void predictRejectsFilesThatAreNotImages() throws Exception {
        Path weights = leNetWeights();
        Path text = dir.resolve("cat.png");
        Files.writeString(text, "not really a png");
        assertEquals(1, run("predict", "lenet5", "--weights", weights.toString(), text.toString()));
        assertEquals("fovea: " + text + ": not an image Java can decode (PNG, JPEG, BMP, GIF, WBMP)\n", err());
    }

    @Test
    void graphDrawsLayersAndShortcutsAsSvg() throws Exception {
        assertEquals(0, run("graph", "resnet18"));
        var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(out().getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertTrue(out().contains(">layer2.0.out<"), "a box per member");
        assertTrue(out().contains("Add projection 1x1/2 + ReLU"), "stacked layers in one box");
        assertEquals(8, doc.getElementsByTagName("path").getLength() - 1, "one arc per residual shortcut (and the arrow head)");
        assertEquals(1, run("graph", "resnet18", "--output", dir.resolve("missing/g.svg").toString()));
        assertEquals("fovea: cannot write " + dir.resolve("missing/g.svg") + ": directory " + dir.resolve("missing")
                + " does not exist\n", err());
        Path file = dir.resolve("g.svg");
        assertEquals(0, run("graph", "googlenet", "--output", file.toString()));
        assertTrue(Files.readString(file).contains("inception5b.out"));
    }

    /** The export carries the weights it was given, under their own names, and says where they came from. */
    @Test
    void exportWritesAnOnnxModelWithTheGivenWeights() throws Exception {
        Path weights = leNetWeights();
        Path file = dir.resolve("lenet5.onnx");
        assertEquals(0, run("export", "lenet5", "--weights", weights.toString(), "--output", file.toString()));
        assertTrue(out().matches(java.util.regex.Pattern.quote(file.toString()) + ": LeNet5 as ONNX \\(opset 21\\), [\\d.]+ MB\n"), out());
        ai.onnx.proto.OnnxMl.ModelProto model = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
        assertEquals("input", model.getGraph().getInput(0).getName());
        assertEquals("batch", model.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        Map<String, String> metadata = new java.util.HashMap<>();
        model.getMetadataPropsList().forEach(e -> metadata.put(e.getKey(), e.getValue()));
        assertEquals("lenet5.safetensors", metadata.get("fovea.weights"));
        Zoo zoo = Zoo.load();
        Parameters expected = zoo.newParameters(zoo.find("LeNet5").orElseThrow(), 7);
        var f6 = model.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("f6.weight")).findFirst().orElseThrow();
        float[] values = new float[expected.get("f6.weight").length];
        f6.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        assertArrayEquals(expected.get("f6.weight"), values);

        assertEquals(2, run("export", "lenet5"));
        assertTrue(err().startsWith("fovea: Missing required option: '--output=M.onnx'"), err());
    }

    @Test
    void importWritesTheNetworkSourceAndItsWeightsOrSaysWhyNot() throws Exception {
        Path onnx = dir.resolve("lenet.onnx");
        assertEquals(0, run("export", "lenet", "--output", onnx.toString()));
        Path src = dir.resolve("src");
        out.reset();
        assertEquals(0, run("import", onnx.toString(), "--package", "my.nets", "--name", "Small", "--output-dir", src.toString()));
        assertEquals(List.of("lenet.onnx: 12 operators as my.nets.Small, 8 members; 61,706 parameters in 10 tensors",
                "wrote " + src.resolve("my/nets/Small.java"), "wrote " + src.resolve("Small.safetensors")), out().lines().toList());
        String source = Files.readString(src.resolve("my/nets/Small.java"));
        assertTrue(source.contains("@Expect(params = 61_706, output = 10)"), source);
        assertEquals(10, dev.fovea.runtime.weights.SafeTensors.read(src.resolve("Small.safetensors")).size());

        err.reset();
        assertEquals(1, run("import", dir.resolve("missing.onnx").toString(), "--package", "p", "--name", "N", "--output-dir", src.toString()));
        assertEquals(List.of("fovea: " + dir.resolve("missing.onnx") + ": no such file"), err().lines().toList());
        err.reset();
        assertEquals(2, run("import", onnx.toString(), "--name", "N", "--output-dir", src.toString()));
        assertTrue(err().startsWith("fovea: Missing required option: '--package=P'"), err());
        err.reset();
        assertEquals(2, run("import", onnx.toString(), "--package", "p", "--name", "N", "--output-dir", src.toString(), "--input", "3,0"));
        assertEquals(List.of("fovea: --input takes one sample's shape, channels,height,width (like 3,224,224) or features"),
                err().lines().toList());
    }

    @Test
    void visualizeWritesTheDeconvnetsProjectionsFeatureMapsAndFilters() throws Exception {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, (x / 8 + y / 8) % 2 == 0 ? 0xff8020 : 0x2060ff);
            }
        }
        Path png = dir.resolve("tiles.png");
        ImageIO.write(image, "png", png.toFile());
        out.reset();
        assertEquals(0, run("visualize", "alexnet", png.toString(), "--layer", "pool1", "--top", "4"), err());
        List<String> lines = out().lines().toList();
        assertTrue(lines.getFirst().matches("pool1 64x27x27: channels \\d+, \\d+, \\d+, \\d+ projected, strongest first"), out());
        assertEquals(List.of("wrote " + dir.resolve("tiles.pool1.deconv.png"), "wrote " + dir.resolve("tiles.pool1.maps.png"),
                "wrote " + dir.resolve("AlexNet.filters.png")), lines.subList(1, 4));
        BufferedImage projections = ImageIO.read(dir.resolve("tiles.pool1.deconv.png").toFile());
        assertEquals(2 * (224 + 2) + 2, projections.getWidth(), "four 224x224 projections, two by two");
        BufferedImage filters = ImageIO.read(dir.resolve("AlexNet.filters.png").toFile());
        assertEquals(8 * (55 + 2) + 2, filters.getWidth(), "64 filters of 11x11, enlarged five times, eight by eight");

        err.reset();
        assertEquals(2, run("visualize", "resnet18", png.toString(), "--layer", "layer1.0.out"));
        assertEquals(List.of("fovea: ResNet18: the deconvnet runs through convolutions, ReLUs, max pooling, local response norm and dropout"
                + " in a chain, but conv1/batchnorm is a BatchNorm; choose a layer before it"), err().lines().toList());
    }
}
