package dev.fovea.runtime.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.data.Augmentation;
import dev.fovea.runtime.data.Dataset;
import dev.fovea.runtime.data.Loader;
import dev.fovea.runtime.data.Transform;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.io.AtomicFiles;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.optim.Optimizer;
import dev.fovea.runtime.optim.Schedule;
import dev.fovea.runtime.optim.Sgd;
import dev.fovea.runtime.plan.TrainingPlanner;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.Init;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop: it learns, resumes to the bit, survives a crash mid-checkpoint, and stops a diverged run clearly. */
class TrainerTest {
    private static final Shape INPUT = Shape.of(1, 6, 6);
    private static final Shape CONV = Shape.of(4, 6, 6);
    private static final Shape POOLED = Shape.of(4, 3, 3);
    private static final int BATCH = 8;

    @TempDir
    Path dir;

    /** Conv, batch norm, ReLU, max pooling, dropout and a dense layer: every kind of state a resume must restore. */
    private static NetworkGraph graph(String... frozen) {
        Layer[] layers = {
            new Layer.Conv2d("conv", NetworkGraph.INPUT, INPUT, CONV, Window.kernel(3).pad(1), 1, "conv.weight", null, List.of()),
            new Layer.BatchNorm("bn", "conv", CONV, "bn", 1e-5, 0.1),
            new Layer.Activation("relu", "bn", CONV, Activation.RELU, 0),
            new Layer.Pool2d("pool", "relu", CONV, POOLED, PoolKind.MAX, Window.kernel(2).stride(2), false, false),
            new Layer.Flatten("flat", "pool", POOLED, Shape.of(36)),
            new Layer.Dropout("drop", "flat", Shape.of(36), 0.2),
            new Layer.Dense("fc", "drop", Shape.of(36), Shape.of(3), "fc.weight", "fc.bias", false)};
        return NetworkGraph.chain(INPUT, layers).frozen(frozen).build();
    }

    private static Parameters parameters() {
        return Parameters.initialized(List.of(
                new TensorSpec("conv.weight", new int[] {4, 1, 3, 3}, false, Init.fanIn(9)),
                new TensorSpec("bn.weight", new int[] {4}, false, Init.ONES),
                new TensorSpec("bn.bias", new int[] {4}, false, Init.ZEROS),
                new TensorSpec("bn.running_mean", new int[] {4}, true, Init.ZEROS),
                new TensorSpec("bn.running_var", new int[] {4}, true, Init.ONES),
                new TensorSpec("fc.weight", new int[] {3, 36}, false, Init.fanIn(36)),
                new TensorSpec("fc.bias", new int[] {3}, false, Init.fanIn(36))), 3);
    }

    /** Class c is a bright bar in row band c, with noise. */
    static Dataset bars(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[count * 36];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 3;
            for (int p = 0; p < 36; p++) {
                int row = p / 6;
                x[i * 36 + p] = (float) ((row / 2 == labels[i] ? 0.8 : 0.1) + 0.3 * r.nextDouble());
            }
        }
        return Dataset.of("bars", x, labels, INPUT, List.of("top", "middle", "bottom"));
    }

    private record Run(TrainingSession session, Optimizer optimizer, Trainer trainer) implements AutoCloseable {
        @Override
        public void close() {
            session.close();
        }
    }

    private Run run(int epochs, CheckpointPolicy checkpoints, Schedule schedule) {
        return run(epochs, checkpoints, schedule, 0);
    }

    private Run run(int epochs, CheckpointPolicy checkpoints, Schedule schedule, int patience) {
        return run(epochs, checkpoints, schedule, patience, new TrainingListener() { });
    }

    private Run run(int epochs, CheckpointPolicy checkpoints, Schedule schedule, int patience, TrainingListener listener) {
        TrainingSession session = TrainingPlanner.session(graph(), parameters(), BATCH, 2, new TrainingPlanner.Options(11, false));
        Optimizer sgd = Sgd.withMomentum(session.parameters(), session.gradients(), 0.1, 0.9, 1e-4);
        Augmentation augment = new Augmentation(INPUT, List.of(new Transform.RandomCrop(6, 6, 1), new Transform.HorizontalFlip(0.5)));
        Loader train = new Loader(bars(44, 1), augment, BATCH, true, true, 7);
        Loader test = new Loader(bars(30, 2), augment.forEvaluation(), BATCH, false, false, 7);
        Trainer.Builder b = Trainer.builder(session, sgd, train).test(test).epochs(epochs).modelName("bars")
                .schedule(schedule != null ? schedule : Schedule.cosine(0.1, epochs * 5L, 0)).earlyStopping(patience).listener(listener);
        if (checkpoints != null) {
            b.checkpoints(checkpoints);
        }
        return new Run(session, sgd, b.build());
    }

    @Test
    void theLossFallsAndTheTestSetIsLearned() {
        try (Run r = run(6, null, null)) {
            List<EpochResult> h = r.trainer().fit();
            assertEquals(6, h.size());
            // the crops shift the bars between bands, so training (augmented, with dropout) stays harder than the test
            assertTrue(h.getLast().trainLoss() < h.getFirst().trainLoss(), h.toString());
            assertTrue(h.getLast().testLoss() < 0.5 * h.getFirst().testLoss(), h.toString());
            assertTrue(h.getLast().testTop1() >= 0.9, h.toString());
            assertEquals(1.0, h.getLast().testTop5());
            Evaluation e = Trainer.evaluate(r.session(), new Loader(bars(30, 2), Augmentation.none(INPUT), BATCH, false, false, 0));
            assertEquals(30, e.count());
            assertEquals(h.getLast().testTop1(), e.top1());
            long diagonal = e.confusion()[0][0] + e.confusion()[1][1] + e.confusion()[2][2];
            assertEquals(Math.round(e.top1() * 30), diagonal);
        }
    }

    /** The convolution and its norm frozen for the first epoch, then trained; run straight, or stopped after unfreezing and resumed. */
    private Run unfreezingRun(CheckpointPolicy checkpoints) {
        NetworkGraph graph = graph("conv.weight", "bn.weight", "bn.bias");
        TrainingSession session = TrainingPlanner.session(graph, parameters(), BATCH, 2, new TrainingPlanner.Options(11, false));
        Optimizer sgd = Sgd.withMomentum(session.parameters(), session.gradients(), 0.1, 0.9, 1e-4);
        Loader train = new Loader(bars(44, 1), Augmentation.none(INPUT), BATCH, true, true, 7);
        Trainer.Builder b = Trainer.builder(session, sgd, train).epochs(3).modelName("bars")
                .unfreezing(new Unfreezing(graph, java.util.Map.of(1, List.of("conv.weight", "bn.weight", "bn.bias")),
                        s -> Sgd.withMomentum(s.parameters(), s.gradients(), 0.1, 0.9, 1e-4)));
        if (checkpoints != null) {
            b.checkpoints(checkpoints);
        }
        return new Run(session, sgd, b.build());
    }

    @Test
    void frozenLayersUnfreezeAtTheirEpochAndAResumeAfterThatEndsBitIdentical() {
        float[][] straight;
        try (Run a = unfreezingRun(null)) {
            Parameters p = a.session().parameters();
            float[] conv = p.get("conv.weight").clone();
            float[] mean = p.get("bn.running_mean").clone();
            float[] fc = p.get("fc.weight").clone();
            a.trainer().fit(5); // epoch 0: the convolution and its norm are frozen
            assertArrayEquals(conv, p.get("conv.weight"));
            assertArrayEquals(mean, p.get("bn.running_mean"), "a frozen norm keeps its statistics");
            assertFalse(java.util.Arrays.equals(fc, p.get("fc.weight")));
            assertEquals(List.of("conv.weight"), graph("conv.weight", "bn.weight").frozenTensorsOf("conv"));
            a.trainer().fit();
            assertFalse(java.util.Arrays.equals(conv, p.get("conv.weight")), "unfrozen at epoch 1");
            assertFalse(java.util.Arrays.equals(mean, p.get("bn.running_mean")));
            assertEquals(15, a.trainer().session().steps());
            a.trainer().close();
            straight = values(p);
        }
        Path checkpoints = dir.resolve("stages");
        try (Run b = unfreezingRun(new CheckpointPolicy(checkpoints, 0, 2))) {
            b.trainer().fit(12); // past the unfreezing, into epoch 2; the newest checkpoint ends epoch 1
            b.trainer().close();
        }
        try (Run c = unfreezingRun(new CheckpointPolicy(checkpoints, 0, 2))) {
            c.trainer().resume(checkpoints);
            assertEquals(2, c.trainer().epoch());
            c.trainer().fit();
            c.trainer().close();
            float[][] resumed = values(c.session().parameters());
            for (int i = 0; i < straight.length; i++) {
                assertArrayEquals(straight[i], resumed[i], "tensor " + i);
            }
        }
    }

    @Test
    void aRunStoppedAndResumedFromItsCheckpointEndsBitIdentical() {
        float[][] straight;
        try (Run a = run(3, null, null)) {
            a.trainer().fit();
            straight = values(a.session().parameters());
        }
        Path checkpoints = dir.resolve("ckpt");
        try (Run b = run(3, new CheckpointPolicy(checkpoints, 3, 2), null)) {
            b.trainer().fit(7); // epoch 0 (5 steps) and 2 steps of epoch 1; the newest checkpoint is step 6
        }
        assertEquals(List.of("checkpoint-0000000005.safetensors", "checkpoint-0000000006.safetensors"),
                new CheckpointPolicy(checkpoints, 3, 2).existing().stream().map(p -> p.getFileName().toString()).toList());
        try (Run c = run(3, new CheckpointPolicy(checkpoints, 3, 2), null)) {
            c.trainer().resume(checkpoints);
            assertEquals(1, c.trainer().epoch());
            assertEquals(6, c.optimizer().steps());
            List<EpochResult> h = c.trainer().fit();
            assertEquals(3, h.size());
            float[][] resumed = values(c.session().parameters());
            for (int i = 0; i < straight.length; i++) {
                assertArrayEquals(straight[i], resumed[i], "tensor " + i);
            }
        }
    }

    @Test
    void aStopRequestedMidRunCheckpointsThatStepAndTheResumeEndsBitIdentical() {
        float[][] straight;
        try (Run a = run(3, null, null)) {
            a.trainer().fit();
            straight = values(a.session().parameters());
        }
        Path checkpoints = dir.resolve("ckpt");
        java.util.concurrent.atomic.AtomicReference<Trainer> running = new java.util.concurrent.atomic.AtomicReference<>();
        TrainingListener ctrlC = new TrainingListener() {
            @Override
            public void step(Progress p) {
                if (p.epoch() == 1 && p.step() == 3) {
                    running.get().requestStop();
                }
            }
        };
        try (Run b = run(3, new CheckpointPolicy(checkpoints, 0, 5), null, 0, ctrlC)) {
            running.set(b.trainer());
            b.trainer().fit();
            assertTrue(b.trainer().stopped());
            assertEquals(8, b.optimizer().steps(), "epoch 0's five steps and three of epoch 1");
        }
        assertEquals("checkpoint-0000000008.safetensors", CheckpointPolicy.newest(checkpoints).getFileName().toString());
        try (Run c = run(3, new CheckpointPolicy(checkpoints, 0, 5), null)) {
            c.trainer().resume(checkpoints);
            c.trainer().fit();
            assertFalse(c.trainer().stopped());
            float[][] resumed = values(c.session().parameters());
            for (int i = 0; i < straight.length; i++) {
                assertArrayEquals(straight[i], resumed[i], "tensor " + i);
            }
        }
    }

    @Test
    void aCrashWhileWritingACheckpointLeavesThePreviousOneWhole() throws IOException {
        Path checkpoints = dir.resolve("ckpt");
        CheckpointPolicy policy = new CheckpointPolicy(checkpoints, 0, 3);
        try (Run r = run(1, policy, null)) {
            r.trainer().fit();
        }
        Path good = CheckpointPolicy.newest(checkpoints);
        byte[] before = Files.readAllBytes(good);
        // a write that dies half-way, and the temporary file a kill -9 would leave behind
        assertThrows(IOException.class, () -> AtomicFiles.replace(good, temp -> {
            Files.write(temp, new byte[] {1, 2, 3});
            throw new IOException("disk full");
        }));
        Files.write(checkpoints.resolve(".checkpoint-0000000009.safetensors12345.tmp"), new byte[100]);
        assertArrayEquals(before, Files.readAllBytes(good));
        assertEquals(good, CheckpointPolicy.newest(checkpoints));
        try (Run r = run(2, policy, null)) {
            r.trainer().resume(checkpoints);
            assertEquals(1, r.trainer().epoch());
            r.trainer().fit();
        }
        try (var files = Files.list(checkpoints)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "stale temporary files are removed");
        }
    }

    @Test
    void resumingWithOtherSettingsSaysWhichDiffers() {
        Path checkpoints = dir.resolve("ckpt");
        try (Run r = run(1, new CheckpointPolicy(checkpoints, 0, 1), null)) {
            r.trainer().fit();
        }
        try (TrainingSession session = TrainingPlanner.session(graph(), parameters(), BATCH, 2)) {
            Optimizer sgd = Sgd.withMomentum(session.parameters(), session.gradients(), 0.1, 0.9, 0);
            Loader train = new Loader(bars(44, 1), Augmentation.none(INPUT), BATCH, true, true, 8);
            Trainer t = Trainer.builder(session, sgd, train).modelName("bars").build();
            Path file = CheckpointPolicy.newest(checkpoints);
            RuntimeException e = assertThrows(RuntimeException.class, () -> t.resume(file));
            assertEquals(file + ": was written with seed 7, this run has 8; resume with the same settings", e.getMessage());
        }
    }

    @Test
    void aDivergedRunStopsNamingTheFirstNonFiniteValue() {
        try (Run r = run(1, null, null)) {
            r.session().parameters().get("fc.weight")[5] = Float.NaN;
            NonFiniteException e = assertThrows(NonFiniteException.class, () -> r.trainer().fit());
            assertEquals("training diverged in epoch 1 at step 1: the loss is NaN; the first non-finite value is in parameter fc.weight. "
                    + "Try a lower learning rate (now 0.100) or gradient clipping", e.getMessage());
        }
    }

    @Test
    void earlyStoppingEndsWhenTheTestLossStopsImproving() {
        try (Run r = run(10, null, Schedule.constant(0), 2)) {
            List<EpochResult> h = r.trainer().fit();
            assertEquals(3, h.size(), "no update, so no epoch after the first improves on it");
            assertTrue(r.trainer().earlyStopped());
        }
    }

    private static float[][] values(Parameters p) {
        return p.names().stream().map(n -> p.get(n).clone()).toArray(float[][]::new);
    }
}
