package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.runtime.data.Augmentation;
import dev.fovea.runtime.data.Batch;
import dev.fovea.runtime.data.DataSources;
import dev.fovea.runtime.data.Dataset;
import dev.fovea.runtime.data.Loader;
import dev.fovea.runtime.data.Transform;
import dev.fovea.runtime.optim.Sgd;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import dev.fovea.spark.DataParallelTraining;
import dev.fovea.spark.DataParallelTraining.Sample;
import dev.fovea.spark.TrainingFailedException;
import dev.fovea.spark.TrainingSettings;
import dev.fovea.zoo.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training in Spark's local mode, two workers in a barrier stage averaging gradients over a
 * ring each step: without batch norm they train LeNet on Fashion-MNIST as one process on their batches together; with batch norm
 * each normalises its own batch and their running statistics are averaged; a task killed mid-run fails the
 * stage, and the job continues from the last checkpoint to exactly the weights of a run never killed.
 */
class SparkTrainingTest {
    private static final int WORKERS = 2;
    private static final int BATCH = 4;
    private static final double RATE = 0.05;

    /** Partition 1's running task, for the kill: local mode runs the workers in this JVM. */
    private static final Map<Integer, Long> RUNNING = new ConcurrentHashMap<>();
    private static final AtomicBoolean KILLED = new AtomicBoolean();

    private static SparkSession spark;
    private static JavaSparkContext jsc;
    private static Zoo zoo;

    @BeforeAll
    static void startSpark() {
        zoo = Zoo.load();
        spark = SparkSession.builder().master("local[" + WORKERS + "]").appName("fovea-training-test").config("spark.ui.enabled", "false")
                .getOrCreate();
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskStart(SparkListenerTaskStart start) {
                RUNNING.put(start.taskInfo().index(), start.taskInfo().taskId());
            }
        });
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** LeNet on the first 960 images of Fashion-MNIST: two workers of 30 steps with batches of 16, one process with batches of 32. */
    @Test
    void twoWorkersTrainAsOneMachineWithTheirBatchesTogether() {
        assumeTrue(Files.isDirectory(DataSources.DEBIAN_FASHION_MNIST), "Fashion-MNIST is not installed: " + DataSources.INSTALL_FASHION_MNIST);
        String lenet = zoo.find("LeNet").orElseThrow();
        int steps = 30;
        int batch = 16;
        List<Sample> samples = fashionMnist(lenet, WORKERS * batch * steps);
        Parameters initial = zoo.newParameters(lenet, 4);

        DataParallelTraining.Result result = DataParallelTraining.fit(spark, "lenet", initial.asMap(), inOrder(samples),
                TrainingSettings.batch(batch).shuffle(false).optimizer(s -> new Sgd(s.parameters(), s.gradients(), RATE, 0.9, 5e-4, false, true)));

        // one process: step k's batch is worker 0's k-th batch, then worker 1's
        Parameters alone = zoo.newParameters(lenet, 4);
        List<Double> losses = new ArrayList<>();
        int half = samples.size() / WORKERS;
        try (TrainingSession session = zoo.trainingSession(lenet, alone, WORKERS * batch, 1)) {
            Sgd sgd = new Sgd(alone, session.gradients(), RATE, 0.9, 5e-4, false, true);
            float[] images = new float[WORKERS * batch * 1024];
            int[] labels = new int[WORKERS * batch];
            for (int step = 0; step < steps; step++) {
                for (int w = 0; w < WORKERS; w++) {
                    copyBatch(samples, w * half + step * batch, batch, images, labels, w * batch, 1024);
                }
                losses.add(session.forwardBackward(images, labels));
                sgd.step();
            }
        }
        assertEquals(steps, result.steps());
        assertEquals(1, result.history().size());
        for (String name : alone.names()) {
            assertArrayEquals(alone.get(name), result.weights().get(name).data(), 1e-4f, name);
        }
        assertTrue(losses.subList(steps - 5, steps).stream().mapToDouble(d -> d).average().orElseThrow() < 0.8 * losses.getFirst(),
                losses.toString());
    }

    /** The first {@code count} training images of Fashion-MNIST, padded to the model's 32x32 and normalised as {@code fovea train} does. */
    private static List<Sample> fashionMnist(String network, int count) {
        Dataset train = DataSources.open("fashion-mnist", zoo.info(network).input()).train().limit(count);
        Augmentation padded = new Augmentation(train.sampleShape(), Augmentation.fit(train.sampleShape(), zoo.info(network).input()));
        List<Transform> transforms = new ArrayList<>(padded.transforms());
        transforms.add(Augmentation.statistics(train, padded));
        Augmentation fit = new Augmentation(train.sampleShape(), transforms);
        List<Sample> samples = new ArrayList<>();
        try (Loader.Epoch epoch = new Loader(train, fit, count, false, true, 1).epoch(0, 0)) {
            Batch b = epoch.next();
            int size = b.images().length / count;
            for (int i = 0; i < count; i++) {
                samples.add(new Sample(Arrays.copyOfRange(b.images(), i * size, (i + 1) * size), b.labels()[i]));
            }
        }
        return samples;
    }

    /**
     * ResNet-20 has batch norm after every convolution. Each worker normalises its batch of 4 with that
     * batch's statistics, as PyTorch's DistributedDataParallel does without SyncBatchNorm, and the running
     * statistics are averaged with the gradients. The oracle is one process that runs each worker's batch
     * through the same session in turn from the same running statistics, then averages: it must agree to
     * the bit. A process with batches of 8 (statistics over both workers' samples) must not.
     */
    @Test
    void batchNormNormalisesEachWorkersBatchAndAveragesTheRunningStatistics() {
        String resnet = zoo.find("ResNet20").orElseThrow();
        int steps = 3;
        int size = 3 * 32 * 32;
        List<Sample> samples = randomSamples(WORKERS * BATCH * steps, size, 10, 11);
        Parameters initial = zoo.newParameters(resnet, 5);

        DataParallelTraining.Result result = DataParallelTraining.fit(spark, "resnet20", initial.asMap(), inOrder(samples),
                TrainingSettings.batch(BATCH).shuffle(false).optimizer(s -> new Sgd(s.parameters(), s.gradients(), RATE, 0.9, 0, false, true)));

        Parameters perWorker = perWorkerOracle(resnet, samples, steps, size);
        Parameters together = zoo.newParameters(resnet, 5);
        try (TrainingSession session = zoo.trainingSession(resnet, together, WORKERS * BATCH, 1)) {
            Sgd sgd = new Sgd(together, session.gradients(), RATE, 0.9, 0, false, true);
            float[] images = new float[WORKERS * BATCH * size];
            int[] labels = new int[WORKERS * BATCH];
            int half = samples.size() / WORKERS;
            for (int step = 0; step < steps; step++) {
                for (int w = 0; w < WORKERS; w++) {
                    copyBatch(samples, w * half + step * BATCH, BATCH, images, labels, w * BATCH, size);
                }
                session.forwardBackward(images, labels);
                sgd.step();
            }
        }
        double apart = 0;
        for (String name : perWorker.names()) {
            assertArrayEquals(perWorker.get(name), result.weights().get(name).data(), name);
            float[] a = perWorker.get(name);
            float[] b = together.get(name);
            for (int i = 0; i < a.length; i++) {
                apart = Math.max(apart, Math.abs(a[i] - b[i]));
            }
        }
        assertTrue(apart > 1e-3, "per-worker batch statistics should train differently from statistics over both workers: " + apart);
    }

    /** Each step: every worker's batch from the same weights and running statistics, gradients and statistics averaged. */
    private static Parameters perWorkerOracle(String network, List<Sample> samples, int steps, int size) {
        Parameters p = zoo.newParameters(network, 5);
        List<String> statistics = p.specs().stream().filter(TensorSpec::buffer).map(TensorSpec::name).toList();
        int half = samples.size() / WORKERS;
        try (TrainingSession session = zoo.trainingSession(network, p, BATCH, 1)) {
            Sgd sgd = new Sgd(p, session.gradients(), RATE, 0.9, 0, false, true);
            float[] images = new float[BATCH * size];
            int[] labels = new int[BATCH];
            for (int step = 0; step < steps; step++) {
                Map<String, float[]> before = copies(p, statistics);
                Map<String, float[]> gradientSum = new HashMap<>();
                Map<String, float[]> statisticsSum = new HashMap<>();
                for (int w = 0; w < WORKERS; w++) {
                    before.forEach((n, v) -> System.arraycopy(v, 0, p.get(n), 0, v.length));
                    copyBatch(samples, w * half + step * BATCH, BATCH, images, labels, 0, size);
                    session.forwardBackward(images, labels);
                    session.gradients().names().forEach(n -> add(gradientSum, n, session.gradients().get(n)));
                    statistics.forEach(n -> add(statisticsSum, n, p.get(n)));
                }
                gradientSum.forEach((n, sum) -> halve(sum, session.gradients().get(n)));
                statisticsSum.forEach((n, sum) -> halve(sum, p.get(n)));
                sgd.step();
            }
        }
        return p;
    }

    /**
     * A run checkpointing every 4 steps is killed in step 13 (Spark kills worker 1's task, as the UI's kill
     * link does): the barrier stage fails, starts again, and continues from the checkpoint of step 12 to the
     * same bits as a run never killed, shuffles and momentum included.
     */
    @Test
    void aKilledTaskFailsTheStageAndTheRunResumesFromTheLastCheckpoint(@TempDir Path straightDir, @TempDir Path killedDir) {
        String lenet = zoo.find("LeNet").orElseThrow();
        List<Sample> samples = randomSamples(WORKERS * 40, 1024, 10, 13);
        Map<String, LoadedTensor> initial = zoo.newParameters(lenet, 6).asMap();
        TrainingSettings settings = TrainingSettings.batch(BATCH).epochs(3).seed(21);

        DataParallelTraining.Result straight = DataParallelTraining.fit(spark, "lenet", initial, inOrder(samples),
                settings.checkpoints(straightDir.toString(), 4, 2));
        assertEquals(30, straight.steps());
        assertEquals(0, straight.resumedFromStep());

        TrainingSettings killing = settings.checkpoints(killedDir.toString(), 4, 2).listener(new KillWorkerOneAtStep(13));
        DataParallelTraining.Result resumed = DataParallelTraining.fit(spark, "lenet", initial, inOrder(samples), killing);
        assertTrue(KILLED.get(), "worker 1 was never killed");
        assertEquals(1, resumed.restarts());
        assertEquals(12, resumed.resumedFromStep());
        assertEquals(30, resumed.steps());
        assertEquals(3, resumed.history().size());
        for (String name : straight.weights().keySet()) {
            assertArrayEquals(straight.weights().get(name).data(), resumed.weights().get(name).data(), 0f, name);
        }
    }

    /** A failure that comes back before the next checkpoint every time is not retried for ever: one line says what and where. */
    @Test
    void aTaskThatFailsBeforeAnyCheckpointStopsTheRunWithItsOwnError(@TempDir Path directory) {
        List<Sample> samples = randomSamples(WORKERS * 40, 1024, 10, 13);
        TrainingSettings settings = TrainingSettings.batch(BATCH).checkpoints(directory.toString(), 4, 2).listener(new FailAtStep(2));
        var e = assertThrows(TrainingFailedException.class, () -> DataParallelTraining.fit(spark, "lenet",
                zoo.newParameters(zoo.find("LeNet").orElseThrow(), 1).asMap(), inOrder(samples), settings));
        assertEquals("training stopped: java.lang.IllegalStateException: worker 0 gave up at step 2; there is no checkpoint to continue from",
                e.getMessage());
        assertEquals(null, e.newestCheckpoint());
    }

    @Test
    void aSampleThatDoesNotFitTheModelIsOneErrorBeforeTrainingStarts() {
        List<Sample> samples = new ArrayList<>(randomSamples(16, 1024, 10, 3));
        samples.set(11, new Sample(new float[1000], 2));
        var e = assertThrows(IllegalArgumentException.class, () -> DataParallelTraining.fit(spark, "lenet",
                zoo.newParameters(zoo.find("LeNet").orElseThrow(), 1).asMap(), inOrder(samples), TrainingSettings.batch(BATCH)));
        assertEquals("sample 3 of partition 1 has 1000 input values; the model takes 1x32x32 = 1024", e.getMessage());
    }

    /**
     * Worker 0's listener, run in this JVM: at {@code step} it has Spark kill worker 1's task, once, and
     * waits there until Spark aborts the stage. The kill is asynchronous and a step takes milliseconds:
     * without the wait, both workers may train on past the next checkpoint before the kill lands.
     */
    private record KillWorkerOneAtStep(int step) implements DataParallelTraining.WorkerListener {
        @Override
        public void step(dev.fovea.runtime.fit.Progress progress) {
            long done = (long) progress.epoch() * progress.steps() + progress.step();
            if (done == step && KILLED.compareAndSet(false, true)) {
                SparkContext.getOrCreate().killTaskAttempt(RUNNING.get(1), true, "killed by the test at step " + step);
                TaskContext task = TaskContext.get();
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (!task.isInterrupted() && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    private record FailAtStep(int step) implements DataParallelTraining.WorkerListener {
        @Override
        public void step(dev.fovea.runtime.fit.Progress progress) {
            if (progress.step() == step) {
                throw new IllegalStateException("worker 0 gave up at step " + step);
            }
        }
    }

    /** Partition w holds the w-th slice of the samples, in order. */
    private static JavaRDD<Sample> inOrder(List<Sample> samples) {
        return jsc.parallelize(samples, WORKERS);
    }

    private static List<Sample> randomSamples(int count, int size, int classes, long seed) {
        Random random = new Random(seed);
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] x = new float[size];
            for (int p = 0; p < size; p++) {
                x[p] = (float) random.nextGaussian();
            }
            samples.add(new Sample(x, random.nextInt(classes)));
        }
        return samples;
    }

    private static void copyBatch(List<Sample> samples, int from, int count, float[] images, int[] labels, int at, int size) {
        for (int i = 0; i < count; i++) {
            Sample s = samples.get(from + i);
            System.arraycopy(s.input(), 0, images, (at + i) * size, size);
            labels[at + i] = s.label();
        }
    }

    private static Map<String, float[]> copies(Parameters p, List<String> names) {
        Map<String, float[]> out = new HashMap<>();
        names.forEach(n -> out.put(n, p.get(n).clone()));
        return out;
    }

    private static void add(Map<String, float[]> sums, String name, float[] values) {
        float[] sum = sums.computeIfAbsent(name, n -> new float[values.length]);
        for (int i = 0; i < values.length; i++) {
            sum[i] += values[i];
        }
    }

    /** The average of two workers, as the ring computes it: their sum times one half. */
    private static void halve(float[] sum, float[] into) {
        for (int i = 0; i < sum.length; i++) {
            into[i] = sum[i] * 0.5f;
        }
    }
}
