package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fovea.zoo.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own network, compiled in a project of its own with Fovea's processor, runs through the
 * fovea command with {@code --classpath}: listed beside the zoo, summarised, trained and evaluated.
 */
class UserNetworkTest {
    private static final String SOURCE = """
            package demo;

            import static dev.fovea.annotations.Padding.SAME;
            import dev.fovea.annotations.*;

            @Network(input = {1, 8, 8})
            public interface Tiny {
                @Conv2d(filters = 4, kernel = 3, padding = SAME) @ReLU Layer conv();
                @MaxPool2d(kernel = 2) Layer pool();
                @Flatten Layer flat();
                @Dense(units = 3) Layer fc();
            }
            """;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int fovea(String... args) {
        out.reset();
        err.reset();
        return Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    @Test
    void aCompiledProjectsNetworkIsListedTrainedAndEvaluated() throws Exception {
        Path classes = UserProject.compile(dir, Map.of("demo/Tiny.java", SOURCE));

        assertEquals(0, fovea("list", "--classpath", classes.toString()), err.toString());
        assertTrue(out.toString().lines().anyMatch(l -> l.startsWith("Tiny ") && l.contains("1x8x8")), out.toString());
        assertTrue(out.toString().contains("ResNet50"), "the zoo stays listed");

        // samples whose class is the quadrant row of a bright pixel block
        float[] x = new float[30 * 64];
        float[] labels = new float[30];
        for (int i = 0; i < 30; i++) {
            labels[i] = i % 3;
            for (int p = 0; p < 64; p++) {
                x[i * 64 + p] = (p / 8) / 3 == i % 3 ? 1 : 0;
            }
        }
        Path data = dir.resolve("data.safetensors");
        dev.fovea.runtime.weights.SafeTensors.write(data, java.util.Map.of(
                "input", new dev.fovea.runtime.weights.LoadedTensor(new int[] {30, 1, 8, 8}, x),
                "labels", new dev.fovea.runtime.weights.LoadedTensor(new int[] {30}, labels)), java.util.Map.of());
        Path weights = dir.resolve("tiny.safetensors");
        assertEquals(0, fovea("--classpath=" + classes, "train", "tiny", "--data", "safetensors:" + data + "," + data, "--batch", "5",
                "--epochs", "4", "--lr", "0.1", "--threads", "1", "--output", weights.toString()), err.toString());
        assertTrue(Files.exists(weights));
        assertEquals(0, fovea("eval", "tiny", "--classpath", classes.toString(), "--weights", weights.toString(), "--data",
                "safetensors:" + data, "--split", "train"), err.toString());
        assertTrue(out.toString().contains("top-1 100.00%"), out.toString());

        // the trained network leaves as ONNX, and ONNX Runtime classifies the samples as Fovea did
        Path onnx = dir.resolve("tiny.onnx");
        assertEquals(0, fovea("export", "tiny", "--classpath", classes.toString(), "--weights", weights.toString(), "--output",
                onnx.toString()), err.toString());
        float[] logits = OnnxExportTest.runInOnnxRuntime(onnx, x, 30, new dev.fovea.runtime.Shape(1, 8, 8));
        int outputs = logits.length / 30;
        for (int i = 0; i < 30; i++) {
            int best = 0;
            for (int k = 1; k < outputs; k++) {
                best = logits[i * outputs + k] > logits[i * outputs + best] ? k : best;
            }
            assertEquals((int) labels[i], best, "sample " + i + " in ONNX Runtime");
        }

        assertEquals(2, fovea("list", "--classpath", dir.resolve("src").toString()));
        assertEquals(List.of("fovea: --classpath " + dir.resolve("src") + ": holds no Fovea networks (no META-INF/fovea/index.txt; compile the "
                + "project with Fovea's annotation processor)"), err.toString().lines().toList());
    }

    /** A user's network built of the zoo's blocks, which javac reads from the zoo's classes with their stored templates. */
    private static final String ON_ZOO_BLOCKS = """
            package demo;

            import dev.fovea.annotations.*;
            import dev.fovea.zoo.BasicBlock;

            @Network(input = {3, 32, 32})
            public interface SmallResNet {
                @Conv2d(filters = 64, kernel = 3, padding = 1, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
                @BasicBlock(planes = 64) @Repeat(2) Layer layer1();
                @BasicBlock(planes = 128, stride = 2) @Repeat(2) Layer layer2();
                @GlobalAvgPool Layer pool();
                @Flatten Layer flat();
                @Dense(units = 10) Layer fc();
            }
            """;

    /**
     * ResNet-18's first two stages on 32x32 images: conv1 1,728 + 128; layer1 two blocks of 2 x 36,864 + 2 x 128;
     * layer2 73,728 + 147,456 + 2 x 256 + a projection of 8,192 + 256, then 2 x 147,456 + 2 x 256; fc 1,290.
     */
    @Test
    void aProjectUsesTheZoosBlocksFromItsJar() throws Exception {
        Path classes = UserProject.compile(dir, Map.of("demo/SmallResNet.java", ON_ZOO_BLOCKS));

        JsonObject report = JsonParser.parseString(Files.readString(classes.resolve("META-INF/fovea/demo.SmallResNet.json"))).getAsJsonObject();
        assertEquals(1_728 + 128 + 2 * (2 * 36_864 + 2 * 128) + (73_728 + 147_456 + 2 * 256 + 8_192 + 256) + (2 * 147_456 + 2 * 256) + 1_290,
                report.get("params").getAsLong());
        // the same stages, layer by layer, as ResNet-18 has them compiled with the blocks' sources
        JsonObject resnet18 = ZooReports.report("dev.fovea.zoo.ResNet18");
        assertEquals(stageParams(resnet18, "layer1."), stageParams(report, "layer1."));
        assertEquals(stageParams(resnet18, "layer2."), stageParams(report, "layer2."));
    }

    /**
     * fovea train fine-tunes a derived network from its base's weights, with a smaller rate for the inherited layers,
     * and unfreezes conv2 for the last two epochs while conv1 stays frozen.
     */
    @Test
    void fineTuningFromTheCommandLine() throws Exception {
        // fovea derive writes the derivation; the project compiles it with Fovea's processor
        assertEquals(0, fovea("derive", "lenet", "--package", "demo", "--name", "LeNetThreeWay", "--classes", "3", "--freeze-up-to", "pool2",
                "--output-dir", dir.resolve("src").toString()), err.toString());
        String derived = Files.readString(dir.resolve("src/demo/LeNetThreeWay.java"));
        assertEquals("""
                package demo;

                import dev.fovea.zoo.LeNet;
                import dev.fovea.annotations.Derive;
                import dev.fovea.annotations.Dense;
                import dev.fovea.annotations.Layer;

                /** LeNet with a 3-way head, written by fovea derive. */
                @Derive(base = LeNet.class, freezeUpTo = "pool2")
                public interface LeNetThreeWay {
                    @Dense(units = 3) Layer fc3();
                }
                """, derived);
        assertEquals(2, fovea("derive", "lenet", "--package", "demo", "--name", "Other", "--freeze-up-to", "pol2", "--output-dir",
                dir.resolve("src").toString()));
        assertEquals(List.of("fovea: --freeze-up-to: LeNet has no member pol2; did you mean pool2?"), err.toString().lines().toList());
        Path classes = UserProject.compile(dir, Map.of("demo/LeNetThreeWay.java", derived));
        float[] x = new float[30 * 1024];
        float[] labels = new float[30];
        for (int i = 0; i < 30; i++) {
            labels[i] = i % 3;
            for (int p = 0; p < 1024; p++) {
                x[i * 1024 + p] = (p / 32) / 11 == i % 3 ? 1 : 0; // a bright band of rows, by class
            }
        }
        Path data = dir.resolve("bands.safetensors");
        dev.fovea.runtime.weights.SafeTensors.write(data, Map.of(
                "input", new dev.fovea.runtime.weights.LoadedTensor(new int[] {30, 1, 32, 32}, x),
                "labels", new dev.fovea.runtime.weights.LoadedTensor(new int[] {30}, labels)), Map.of());
        Path base = dir.resolve("lenet.safetensors");
        assertEquals(0, fovea("train", "lenet", "--data", "safetensors:" + data, "--batch", "10", "--epochs", "1", "--threads", "1",
                "--output", base.toString()), err.toString());

        Path tuned = dir.resolve("tuned.safetensors");
        assertEquals(0, fovea("--classpath=" + classes, "train", "lenetthreeway", "--base-weights", base.toString(), "--inherited-lr", "0.1",
                "--unfreeze", "conv2@2", "--data", "safetensors:" + data, "--batch", "10", "--epochs", "3", "--threads", "1", "--output",
                tuned.toString()), err.toString());
        assertTrue(out.toString().contains(base + ": loaded 8 tensors, initialised 2 (fc3.weight, fc3.bias), did not use 2 (fc3.weight,"
                + " fc3.bias)"), out.toString());
        Map<String, dev.fovea.runtime.weights.LoadedTensor> before = dev.fovea.runtime.weights.SafeTensors.read(base);
        Map<String, dev.fovea.runtime.weights.LoadedTensor> after = dev.fovea.runtime.weights.SafeTensors.read(tuned);
        // conv1 stayed frozen and is the base's; conv2 unfroze at epoch 2; fc1 trained throughout
        assertTrue(java.util.Arrays.equals(before.get("conv1.weight").data(), after.get("conv1.weight").data()));
        assertTrue(!java.util.Arrays.equals(before.get("conv2.weight").data(), after.get("conv2.weight").data()));
        assertTrue(!java.util.Arrays.equals(before.get("fc1.weight").data(), after.get("fc1.weight").data()));

        assertEquals(2, fovea("--classpath=" + classes, "train", "lenetthreeway", "--base-weights", base.toString(), "--unfreeze", "fc1@2",
                "--data", "safetensors:" + data, "--batch", "10", "--epochs", "3"));
        assertEquals(List.of("fovea: --unfreeze: fc1 names no frozen layer of LeNetThreeWay"), err.toString().lines().toList());

        // feature extraction: the frozen part once per image, then the head alone; the weights written are the whole network's
        Path cached = dir.resolve("cached.safetensors");
        assertEquals(0, fovea("--classpath=" + classes, "train", "lenetthreeway", "--base-weights", base.toString(), "--cache-features",
                "--data", "safetensors:" + data, "--batch", "10", "--epochs", "2", "--threads", "1", "--output", cached.toString()),
                err.toString());
        assertTrue(out.toString().contains("features: the output of flatten (400) for 30 images, computed once in"), out.toString());
        Map<String, dev.fovea.runtime.weights.LoadedTensor> fromCache = dev.fovea.runtime.weights.SafeTensors.read(cached);
        assertTrue(java.util.Arrays.equals(before.get("conv2.weight").data(), fromCache.get("conv2.weight").data()));
        assertTrue(!java.util.Arrays.equals(before.get("fc1.weight").data(), fromCache.get("fc1.weight").data()));
        assertEquals(0, fovea("--classpath=" + classes, "eval", "lenetthreeway", "--weights", cached.toString(), "--data",
                "safetensors:" + data, "--split", "train"), err.toString());
        assertEquals(2, fovea("--classpath=" + classes, "train", "lenetthreeway", "--base-weights", base.toString(), "--cache-features",
                "--unfreeze", "conv2@2", "--data", "safetensors:" + data, "--batch", "10", "--epochs", "3"));
        assertEquals(List.of("fovea: --cache-features and --unfreeze: unfrozen layers change their features; give one"),
                err.toString().lines().toList());

        assertEquals(2, fovea("train", "lenet", "--base-weights", base.toString(), "--data", "safetensors:" + data), err.toString());
        assertEquals(List.of("fovea: --base-weights: LeNet is not derived from another network (@Derive); start from its own weights with"
                + " --weights"), err.toString().lines().toList());
    }

    private static List<String> stageParams(JsonObject report, String prefix) {
        List<String> layers = new java.util.ArrayList<>();
        for (var l : report.getAsJsonArray("layers")) {
            JsonObject layer = l.getAsJsonObject();
            if (layer.get("name").getAsString().startsWith(prefix)) {
                layers.add(layer.get("name").getAsString() + " " + layer.get("params") + " " + layer.get("tensors"));
            }
        }
        return layers;
    }
}
