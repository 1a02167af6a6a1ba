package dev.fovea.spark;

import dev.fovea.runtime.data.Augmentation;
import dev.fovea.runtime.optim.Sgd;
import dev.fovea.spark.DataParallelTraining.AugmentationFactory;
import dev.fovea.spark.DataParallelTraining.OptimizerFactory;
import dev.fovea.spark.DataParallelTraining.Sample;
import dev.fovea.spark.DataParallelTraining.ScheduleFactory;
import dev.fovea.spark.DataParallelTraining.WorkerListener;
import java.io.Serializable;
import java.util.List;
import java.util.function.Consumer;

/**
 * How {@link DataParallelTraining} trains, the same on every worker: the batch of each worker, epochs, the
 * optimiser and schedule, shuffling and augmentation, checkpoints and restarts, the test samples worker 0
 * evaluates after each epoch, and a listener for worker 0. Start from {@link #batch(int)}; each setter
 * returns a changed copy. Every setting has a default that works: SGD with momentum 0.9, rate 0.05 and
 * weight decay 5e-4; a constant rate; shuffled each epoch with seed 1; no augmentation; one epoch; one
 * thread per worker; no checkpoints; two restarts after a failure, from the newest checkpoint.
 */
public final class TrainingSettings implements Serializable, Cloneable {
    private static final long serialVersionUID = 1L;

    private int batch;
    private int epochs = 1;
    private long seed = 1;
    private boolean shuffle = true;
    private int threads = 1;
    private OptimizerFactory optimizer = s -> new Sgd(s.parameters(), s.gradients(), 0.05, 0.9, 5e-4, false, true);
    private ScheduleFactory schedule;
    private AugmentationFactory augmentation = Augmentation::none;
    private String checkpointDirectory;
    private long checkpointEverySteps;
    private int keepCheckpoints = 3;
    private int restarts = 2;
    private List<Sample> test;
    private WorkerListener listener;

    private TrainingSettings() {}

    /** The defaults, with batches of {@code batch} samples on every worker. */
    public static TrainingSettings batch(int batch) {
        return new TrainingSettings().with(s -> s.batch = batch);
    }

    public TrainingSettings epochs(int epochs) {
        return with(s -> s.epochs = epochs);
    }

    /** Seeds the shuffles and random augmentations (each worker shuffles its own partition with it). */
    public TrainingSettings seed(long seed) {
        return with(s -> s.seed = seed);
    }

    /** Without shuffling each worker takes its partition's samples in order, epoch after epoch. */
    public TrainingSettings shuffle(boolean shuffle) {
        return with(s -> s.shuffle = shuffle);
    }

    /** Threads of each worker's session (Spark's way is one task per core: give each task as many cores). */
    public TrainingSettings threads(int threads) {
        return with(s -> s.threads = threads);
    }

    public TrainingSettings optimizer(OptimizerFactory optimizer) {
        return with(s -> s.optimizer = optimizer);
    }

    public TrainingSettings schedule(ScheduleFactory schedule) {
        return with(s -> s.schedule = schedule);
    }

    public TrainingSettings augmentation(AugmentationFactory augmentation) {
        return with(s -> s.augmentation = augmentation);
    }

    /**
     * Worker 0 writes a checkpoint into {@code directory} every {@code everySteps} steps (0: at each epoch's
     * end only) and keeps the newest {@code keep}. The directory must be one every executor sees. A run
     * whose directory already holds a checkpoint continues from the newest one.
     */
    public TrainingSettings checkpoints(String directory, long everySteps, int keep) {
        return with(s -> {
            s.checkpointDirectory = directory;
            s.checkpointEverySteps = everySteps;
            s.keepCheckpoints = keep;
        });
    }

    /**
     * How many times a failed stage starts again from the newest checkpoint (each time only if the failed
     * attempt wrote a newer one). Needs a checkpoint directory; 0 never restarts.
     */
    public TrainingSettings restarts(int restarts) {
        return with(s -> s.restarts = restarts);
    }

    /** Samples worker 0 evaluates after every epoch (broadcast to the workers once). */
    public TrainingSettings test(List<Sample> test) {
        return with(s -> s.test = test == null ? null : List.copyOf(test));
    }

    public TrainingSettings listener(WorkerListener listener) {
        return with(s -> s.listener = listener);
    }

    public int batch() {
        return batch;
    }

    public int epochs() {
        return epochs;
    }

    public long seed() {
        return seed;
    }

    public boolean shuffle() {
        return shuffle;
    }

    public int threads() {
        return threads;
    }

    public OptimizerFactory optimizer() {
        return optimizer;
    }

    public ScheduleFactory schedule() {
        return schedule;
    }

    public AugmentationFactory augmentation() {
        return augmentation;
    }

    public String checkpointDirectory() {
        return checkpointDirectory;
    }

    public long checkpointEverySteps() {
        return checkpointEverySteps;
    }

    public int keepCheckpoints() {
        return keepCheckpoints;
    }

    public int restarts() {
        return restarts;
    }

    public List<Sample> test() {
        return test;
    }

    public WorkerListener listener() {
        return listener;
    }

    /** A copy with {@code change} made, checked. */
    private TrainingSettings with(Consumer<TrainingSettings> change) {
        TrainingSettings copy;
        try {
            copy = (TrainingSettings) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
        change.accept(copy);
        copy.check();
        return copy;
    }

    private void check() {
        if (batch < 1 || epochs < 1 || threads < 1) {
            throw new IllegalArgumentException("batch, epochs and threads must be at least 1, not " + batch + ", " + epochs + ", " + threads);
        }
        if (restarts < 0) {
            throw new IllegalArgumentException("restarts cannot be negative: " + restarts);
        }
        if (checkpointEverySteps < 0 || keepCheckpoints < 1) {
            throw new IllegalArgumentException("checkpoints every " + checkpointEverySteps + " steps keeping " + keepCheckpoints
                    + ": give 0 (each epoch) or more steps, and keep at least one");
        }
    }
}
