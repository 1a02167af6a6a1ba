package dev.fovea.spark;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.data.Augmentation;
import dev.fovea.runtime.data.Dataset;
import dev.fovea.runtime.data.Loader;
import dev.fovea.runtime.fit.CheckpointPolicy;
import dev.fovea.runtime.fit.EpochResult;
import dev.fovea.runtime.fit.Trainer;
import dev.fovea.runtime.fit.TrainingListener;
import dev.fovea.runtime.fit.Progress;
import dev.fovea.runtime.optim.Optimizer;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.Parameters;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Data-parallel training in a Spark barrier stage: one replica per partition, each a {@link Trainer} on its
 * partition's samples, all started from the same weights. After every backward pass the replicas average
 * their gradients (and batch norm's running statistics) with a ring all-reduce ({@link RingAllReduce}), so
 * all take the same optimiser step and keep identical weights: N workers with batches of B train as one
 * machine with batches of N x B, except that batch norm normalises each worker's batch with its own
 * statistics ({@link ReplicaSync}).
 * <p>
 * Worker 0 writes the checkpoints (the directory must be one every executor sees: a shared file system,
 * or the local disk in local mode). A run whose checkpoint directory holds a checkpoint continues from the
 * newest, every worker from the same file, so a failed stage that Spark retries, or the same call made
 * again after a failed job, resumes where the last checkpoint left it, bit for bit.
 */
public final class DataParallelTraining {
    private DataParallelTraining() {}

    /** One training sample: an input of the model's shape and its class. */
    public record Sample(float[] input, int label) implements Serializable {}

    /** Makes each worker's optimiser for its session (every worker calls it; it must make the same one). */
    @FunctionalInterface
    public interface OptimizerFactory extends Serializable {
        Optimizer create(TrainingSession session);
    }

    /** Makes the learning-rate schedule for a run of {@code totalSteps} optimiser steps. */
    @FunctionalInterface
    public interface ScheduleFactory extends Serializable {
        dev.fovea.runtime.optim.Schedule create(long totalSteps);
    }

    /** Makes the training augmentation for samples of a shape. */
    @FunctionalInterface
    public interface AugmentationFactory extends Serializable {
        Augmentation create(Shape samples);
    }

    /** A listener that worker 0 runs (progress, epochs, checkpoints), shipped to it with the task. */
    public interface WorkerListener extends TrainingListener, Serializable {}

    /**
     * What a run produced: the weights (the same on every worker), worker 0's epochs (its training loss and
     * top-1 are its own partition's), the optimiser steps taken in all, the step the last stage attempt
     * continued from, how many times the stage was started again after a failure, and where the time went.
     */
    public record Result(Map<String, LoadedTensor> weights, List<EpochResult> history, long steps, long resumedFromStep,
            int workers, int restarts, double allReduceSeconds, double seconds) {
        /** Milliseconds of one all-reduce of gradients and statistics, the wait for the slowest worker included. */
        public double allReduceMillisPerStep() {
            long run = steps - resumedFromStep;
            return run == 0 ? 0 : 1000 * allReduceSeconds / run;
        }
    }

    /**
     * Trains {@code model} (a zoo name, or a network on the executors' class path) from {@code initial} on
     * {@code data}, one worker per partition. All workers run at once in a barrier stage, which fails as a
     * whole when one task fails. Each partition trains on as many whole batches as the smallest one holds.
     * With a checkpoint directory, a failed stage is run again (up to {@link TrainingSettings#restarts}
     * times) from the newest checkpoint, as long as the failed attempt wrote a new one: a run that fails
     * before its next checkpoint every time stops with {@link TrainingFailedException}.
     */
    public static Result fit(SparkSession spark, String model, Map<String, LoadedTensor> initial, JavaRDD<Sample> data,
            TrainingSettings settings) {
        String network = SessionPool.zoo().find(model).orElseThrow(() -> new IllegalArgumentException("no network named " + model));
        int workers = data.getNumPartitions();
        long smallest = PartitionCheck.smallest(data, SessionPool.zoo().info(network).input(), SessionPool.zoo().info(network).output());
        if (smallest < settings.batch()) {
            throw new IllegalArgumentException("the smallest partition holds " + smallest + " samples, fewer than one batch of " + settings.batch());
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SessionPool.TensorMap> start = jsc.broadcast(SessionPool.TensorMap.of(initial));
        Broadcast<List<Sample>> test = settings.test() == null ? null : jsc.broadcast(settings.test());
        Worker worker = new Worker(network, start, test, settings, (int) smallest);
        Path directory = settings.checkpointDirectory() == null ? null : Path.of(settings.checkpointDirectory());
        long began = System.nanoTime();
        for (int restarts = 0; ; restarts++) {
            Path newestBefore = directory == null ? null : CheckpointPolicy.newest(directory);
            try {
                List<Worker.Outcome> outcomes = data.rdd().barrier()
                        .mapPartitions(worker, false, ClassTag$.MODULE$.apply(Worker.Outcome.class)).toJavaRDD().collect();
                return result(outcomes, workers, restarts, (System.nanoTime() - began) / 1e9);
            } catch (Exception e) {
                if (!(e instanceof SparkException failure)) {
                    throw e;
                }
                Path newest = directory == null ? null : CheckpointPolicy.newest(directory);
                boolean progressed = newest != null && !newest.equals(newestBefore);
                if (!progressed || restarts >= settings.restarts()) {
                    throw new TrainingFailedException(failure, newest, restarts);
                }
            }
        }
    }

    /** Worker 0's weights and figures, once every worker's weights are shown to be the same bits. */
    private static Result result(List<Worker.Outcome> outcomes, int workers, int restarts, double seconds) {
        Worker.Outcome first = outcomes.stream().filter(o -> o.weights() != null).findFirst().orElseThrow();
        for (Worker.Outcome o : outcomes) {
            if (o.checksum() != first.checksum()) {
                throw new IllegalStateException("the replicas' weights differ after training (worker " + o.rank() + ")");
            }
        }
        return new Result(first.weights().tensors(), first.history(), first.steps(), first.resumedFromStep(), workers, restarts,
                first.allReduceSeconds(), seconds);
    }

    /** One replica: its partition's samples, a trainer, and the ring that keeps it equal to the others. */
    private static final class Worker extends AbstractFunction1<scala.collection.Iterator<Sample>, scala.collection.Iterator<Worker.Outcome>>
            implements Serializable {
        /** Worker 0 sends back the weights; every worker a checksum of them, to show that all agree. */
        record Outcome(int rank, SessionPool.TensorMap weights, List<EpochResult> history, long steps, long resumedFromStep,
                double allReduceSeconds, long checksum) implements Serializable {}

        private final String network;
        private final Broadcast<SessionPool.TensorMap> start;
        private final Broadcast<List<Sample>> test;
        private final TrainingSettings settings;
        private final int samplesPerWorker;

        Worker(String network, Broadcast<SessionPool.TensorMap> start, Broadcast<List<Sample>> test, TrainingSettings settings,
                int samplesPerWorker) {
            this.network = network;
            this.start = start;
            this.test = test;
            this.settings = settings;
            this.samplesPerWorker = samplesPerWorker;
        }

        @Override
        public scala.collection.Iterator<Outcome> apply(scala.collection.Iterator<Sample> partition) {
            BarrierTaskContext context = BarrierTaskContext.get();
            List<Sample> samples = new ArrayList<>(samplesPerWorker);
            Iterator<Sample> rows = CollectionConverters.asJava(partition);
            while (rows.hasNext() && samples.size() < samplesPerWorker) {
                samples.add(rows.next());
            }
            return CollectionConverters.asScala(List.of(train(samples, context)).iterator());
        }

        private Outcome train(List<Sample> samples, BarrierTaskContext context) {
            int rank = context.partitionId();
            Parameters p = SessionPool.zoo().newParameters(network, 0);
            p.load(start.value().tensors(), "the starting weights");
            try (TrainingSession session = SessionPool.zoo().trainingSession(network, p, settings.batch(), settings.threads());
                    RingAllReduce ring = RingAllReduce.open(context)) {
                Shape shape = session.inputShape();
                List<String> classes = classNames(Math.toIntExact(session.logitsShape().elements()));
                Dataset mine = dataset("partition " + rank, samples, shape, classes);
                Loader loader = new Loader(mine, settings.augmentation().create(shape), settings.batch(), settings.shuffle(), true, settings.seed());
                long totalSteps = (long) loader.batchesPerEpoch() * settings.epochs();
                Trainer.Builder builder = Trainer.builder(session, settings.optimizer().create(session), loader)
                        .epochs(settings.epochs()).modelName(network).gradientReducer(new ReplicaSync(ring, p))
                        .listener(new StopWhenKilled(context));
                if (settings.schedule() != null) {
                    builder.schedule(settings.schedule().create(totalSteps));
                }
                Path directory = settings.checkpointDirectory() == null ? null : Path.of(settings.checkpointDirectory());
                if (rank == 0) {
                    if (directory != null) {
                        builder.checkpoints(new CheckpointPolicy(directory, settings.checkpointEverySteps(), settings.keepCheckpoints()));
                    }
                    if (test != null) {
                        Dataset held = dataset("the test samples", test.value(), shape, classes);
                        builder.test(new Loader(held, Augmentation.none(shape), settings.batch(), false, false, settings.seed()));
                    }
                    if (settings.listener() != null) {
                        builder.listener(settings.listener());
                    }
                }
                try (Trainer trainer = builder.build()) {
                    // worker 0 names the checkpoint to continue from, so that every worker reads the same one
                    Path newest = rank == 0 && directory != null ? CheckpointPolicy.newest(directory) : null;
                    String chosen = context.allGather(newest == null ? "" : newest.toString())[0];
                    if (!chosen.isEmpty()) {
                        trainer.resume(Path.of(chosen));
                    }
                    long resumedFrom = trainer.optimizer().steps();
                    trainer.fit();
                    long steps = trainer.optimizer().steps();
                    SessionPool.TensorMap weights = rank == 0 ? SessionPool.TensorMap.of(p.asMap()) : null;
                    return new Outcome(rank, weights, trainer.history(), steps, resumedFrom, ring.seconds(), checksum(p));
                }
            }
        }

        private static List<String> classNames(int count) {
            List<String> names = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                names.add(Integer.toString(i));
            }
            return names;
        }

        private static Dataset dataset(String name, List<Sample> samples, Shape shape, List<String> classes) {
            int size = Math.toIntExact(shape.elements());
            float[] values = new float[samples.size() * size];
            int[] labels = new int[samples.size()];
            for (int i = 0; i < samples.size(); i++) {
                System.arraycopy(samples.get(i).input(), 0, values, i * size, size);
                labels[i] = samples.get(i).label();
            }
            return Dataset.of(name, values, labels, shape, classes);
        }

        /** A hash of every weight's bits: equal on all workers exactly when their weights are. */
        private static long checksum(Parameters p) {
            long hash = 17;
            for (String n : p.names()) {
                hash = 31 * hash + Arrays.hashCode(p.get(n));
            }
            return hash;
        }
    }

    /** Ends a task that Spark killed at the next step, instead of letting it train on alone. */
    private record StopWhenKilled(BarrierTaskContext context) implements TrainingListener {
        @Override
        public void step(Progress progress) {
            context.killTaskIfInterrupted();
        }
    }
}
