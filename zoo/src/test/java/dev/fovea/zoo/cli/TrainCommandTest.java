package dev.fovea.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fovea train and eval as a user meets them: JSON lines, weights, resume, the confusion matrix, one-line errors. */
class TrainCommandTest {
    private ByteArrayOutputStream out = new ByteArrayOutputStream();
    private ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    private int run(String... args) {
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** LeNet-sized samples whose class is where a bright square sits. */
    private Path data(String name, int count, long seed) throws Exception {
        Random r = new Random(seed);
        float[] x = new float[count * 32 * 32];
        float[] labels = new float[count];
        for (int i = 0; i < count; i++) {
            int label = i % 4;
            labels[i] = label;
            for (int p = 0; p < 32 * 32; p++) {
                int y = p / 32;
                int xx = p % 32;
                boolean square = y / 16 == label / 2 && xx / 16 == label % 2;
                x[i * 1024 + p] = (square ? 0.7f : 0f) + 0.3f * r.nextFloat();
            }
        }
        Path file = dir.resolve(name);
        SafeTensors.write(file, Map.of("input", new LoadedTensor(new int[] {count, 1, 32, 32}, x), "labels",
                new LoadedTensor(new int[] {count}, labels)), Map.of());
        return file;
    }

    private String[] train(String data, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "lenet", "--data", data, "--batch", "8", "--threads", "2", "--seed", "3",
                "--lr", "0.02"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void trainPrintsAJsonLinePerEpochWritesWeightsAndEvalAgrees() throws Exception {
        String spec = "safetensors:" + data("train.safetensors", 48, 1) + "," + data("test.safetensors", 24, 2);
        Path weights = dir.resolve("w.safetensors");
        Path plot = dir.resolve("curves.svg");
        assertEquals(0, run(train(spec, "--epochs", "3", "--json", "--output", weights.toString(), "--plot", plot.toString())), err());
        List<String> lines = out().lines().toList();
        assertEquals(3, lines.size(), out());
        JsonObject last = JsonParser.parseString(lines.getLast()).getAsJsonObject();
        for (String key : List.of("epoch", "train_loss", "train_top1", "test_loss", "test_top1", "test_top5", "lr", "seconds", "images_per_s")) {
            assertTrue(last.has(key), key + " in " + last);
        }
        assertEquals(3, last.get("epoch").getAsInt());
        double first = JsonParser.parseString(lines.getFirst()).getAsJsonObject().get("train_loss").getAsDouble();
        assertTrue(last.get("train_loss").getAsDouble() < first, out());
        assertTrue(Files.readString(plot).startsWith("<svg"));
        assertTrue(SafeTensors.metadata(weights).containsKey("normalize"), "eval needs the training's normalisation");

        assertEquals(0, run("eval", "lenet", "--weights", weights.toString(), "--data", spec, "--batch", "5"), err());
        String top1 = String.format(java.util.Locale.ROOT, "top-1 %.2f%%", 100 * last.get("test_top1").getAsDouble());
        assertTrue(out().contains(top1), out() + " should hold " + top1);
        assertTrue(out().contains("Confusion matrix"), out());
    }

    @Test
    void aResumedRunEndsWithTheSameWeights() throws Exception {
        String spec = "safetensors:" + data("train.safetensors", 48, 1);
        Path straight = dir.resolve("straight.safetensors");
        Path ckpt = dir.resolve("ckpt");
        assertEquals(0, run(train(spec, "--epochs", "2", "--output", straight.toString(), "--checkpoint-dir", ckpt.toString(),
                "--checkpoint-every", "4", "--keep", "10")), err());
        // steps 4 and 6 (end of epoch 1), 8, 12 (end of epoch 2): resume from step 8, in the middle of epoch 2
        Path resumed = dir.resolve("resumed.safetensors");
        assertEquals(0, run(train(spec, "--epochs", "2", "--output", resumed.toString(), "--resume",
                ckpt.resolve("checkpoint-0000000008.safetensors").toString())), err());
        assertTrue(out().contains("resumed from"), out());
        Map<String, LoadedTensor> a = SafeTensors.read(straight);
        Map<String, LoadedTensor> b = SafeTensors.read(resumed);
        assertEquals(a.keySet(), b.keySet());
        a.forEach((name, t) -> assertArrayEquals(t.data(), b.get(name).data(), name));
    }

    @Test
    void mistakesAreOneLine() throws Exception {
        assertEquals(2, run("train", "lenet", "--epochs", "0"));
        assertEquals("fovea: --epochs must be at least 1, not 0\n", err());
        assertEquals(2, run("train", "lenet", "--optimizer", "rmsprop"));
        assertTrue(err().startsWith("fovea: Invalid value for option '--optimizer'"), err());
        assertEquals(1, err().lines().count());
        assertEquals(2, run("train", "lenet", "--data", "imagenet:/x"));
        assertTrue(err().startsWith("fovea: --data imagenet:/x: unknown kind 'imagenet'"), err());
        Path missing = dir.resolve("cifar");
        assertEquals(1, run("train", "lenet", "--data", "cifar10:" + missing));
        assertEquals("fovea: " + missing + ": no training batch 1 file (looked for data_batch_1.bin)\n", err());
        Path truncated = dir.resolve("bad.safetensors");
        Files.write(truncated, new byte[] {1, 2, 3});
        assertEquals(1, run("train", "lenet", "--data", "safetensors:" + truncated));
        assertEquals("fovea: " + truncated + ": 3 bytes is too short for a safetensors file\n", err());
        // picocli formats every description; a stray % makes it warn on the JVM's own stderr
        PrintStream jvmErr = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, run("train", "--help"));
        } finally {
            System.setErr(jvmErr);
        }
        assertEquals("", warnings.toString(StandardCharsets.UTF_8));
        assertTrue(out().contains("--checkpoint-every"), out());
        assertTrue(out().contains("step (x0.1 at 50% and 75%)"), out());
    }
}
