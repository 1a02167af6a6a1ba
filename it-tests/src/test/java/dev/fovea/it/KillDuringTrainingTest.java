package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.fit.Checkpoint;
import dev.fovea.runtime.fit.CheckpointPolicy;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.SafeTensors;
import dev.fovea.zoo.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fovea train} in a process of its own, killed with SIGKILL while it writes checkpoints every
 * few steps: every checkpoint left is whole, and resuming from the newest ends with the bits of a run
 * that was never interrupted.
 */
class KillDuringTrainingTest {
    @TempDir
    Path dir;

    private Path data() throws Exception {
        Random r = new Random(7);
        int count = 3200;
        float[] x = new float[count * 1024];
        float[] labels = new float[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 10;
            for (int p = 0; p < 1024; p++) {
                x[i * 1024 + p] = (p / 103 == i % 10 ? 0.8f : 0f) + 0.2f * r.nextFloat();
            }
        }
        Path file = dir.resolve("data.safetensors");
        SafeTensors.write(file, Map.of("input", new LoadedTensor(new int[] {count, 1, 32, 32}, x), "labels",
                new LoadedTensor(new int[] {count}, labels)), Map.of());
        return file;
    }

    private List<String> train(Path data, Path output, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "lenet", "--data", "safetensors:" + data, "--batch", "32", "--epochs", "4",
                "--threads", "2", "--seed", "5", "--json", "--output", output.toString()));
        args.addAll(List.of(more));
        return args;
    }

    private static int fovea(List<String> args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.execute(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args.toArray(String[]::new));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return status;
    }

    @Test
    void aKilledRunLosesOnlyTheStepsSinceItsLastCheckpoint() throws Exception {
        Path data = data();
        Path straight = dir.resolve("straight.safetensors");
        fovea(train(data, straight));

        Path checkpoints = dir.resolve("ckpt");
        Path killed = dir.resolve("killed.safetensors");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(train(data, killed, "--checkpoint-dir", checkpoints.toString(), "--checkpoint-every", "3", "--keep", "4"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (new CheckpointPolicy(checkpoints, 3, 4).existing().size() < 4 || newestStep(checkpoints) < 150) {
            assertTrue(process.isAlive(), "the run ended before it could be killed: " + Files.readString(dir.resolve("log.txt")));
            assertTrue(System.nanoTime() < deadline, "no checkpoints after two minutes");
            Thread.sleep(5);
        }
        process.destroyForcibly(); // SIGKILL
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertTrue(Files.notExists(killed), "killed before the end");

        List<Path> left = new CheckpointPolicy(checkpoints, 3, 4).existing();
        assertTrue(left.size() >= 4, left.toString());
        for (Path p : left) {
            Checkpoint c = Checkpoint.read(p); // whole: header, tensors and metadata
            assertTrue(c.model().containsKey("conv1.weight"), p.toString());
        }
        long resumedFrom = newestStep(checkpoints);
        assertTrue(resumedFrom < 400, "killed before the last step (400): " + resumedFrom);

        Path resumed = dir.resolve("resumed.safetensors");
        fovea(train(data, resumed, "--checkpoint-dir", checkpoints.toString(), "--resume", checkpoints.toString()));
        Map<String, LoadedTensor> a = SafeTensors.read(straight);
        Map<String, LoadedTensor> b = SafeTensors.read(resumed);
        a.forEach((name, t) -> assertArrayEquals(t.data(), b.get(name).data(), name));
    }

    @Test
    void aTerminatedRunCheckpointsTheStepItStoppedAtAndResumesExactly() throws Exception {
        Path data = data();
        Path straight = dir.resolve("straight.safetensors");
        fovea(train(data, straight));
        Path checkpoints = dir.resolve("ckpt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(train(data, dir.resolve("stopped.safetensors"), "--checkpoint-dir", checkpoints.toString()));
        Path log = dir.resolve("log.txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (newestStep(checkpoints) < 100) { // the end of the first epoch
            assertTrue(process.isAlive(), "the run ended early: " + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "no checkpoint after two minutes");
            Thread.sleep(5);
        }
        process.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the step under way ends and is checkpointed
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String printed = Files.readString(log);
        assertTrue(printed.contains("; continue with --resume " + checkpoints), printed);
        // the step it says it stopped at (within epoch 2 or, when the signal came during epoch 1's evaluation, its end)
        java.util.regex.Matcher said = java.util.regex.Pattern.compile("stopped at epoch \\d+, step (\\d+);").matcher(printed);
        assertTrue(said.find(), printed);
        long stoppedAt = Long.parseLong(said.group(1));
        assertTrue(stoppedAt >= 100 && stoppedAt < 400, printed);
        assertEquals(stoppedAt, newestStep(checkpoints), "a checkpoint of exactly the step it stopped at");
        Path resumed = dir.resolve("resumed.safetensors");
        fovea(train(data, resumed, "--checkpoint-dir", checkpoints.toString(), "--resume", checkpoints.toString()));
        Map<String, LoadedTensor> a = SafeTensors.read(straight);
        Map<String, LoadedTensor> b = SafeTensors.read(resumed);
        a.forEach((name, t) -> assertArrayEquals(t.data(), b.get(name).data(), name));
    }

    private static long newestStep(Path checkpoints) {
        Path newest = CheckpointPolicy.newest(checkpoints);
        if (newest == null) {
            return -1;
        }
        String name = newest.getFileName().toString();
        return Long.parseLong(name.substring("checkpoint-".length(), name.length() - ".safetensors".length()));
    }
}
