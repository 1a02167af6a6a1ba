package dev.fovea.runtime.fit;

import dev.fovea.runtime.data.Batch;
import dev.fovea.runtime.data.Loader;
import dev.fovea.runtime.optim.Clipping;
import dev.fovea.runtime.optim.Optimizer;
import dev.fovea.runtime.optim.Schedule;
import dev.fovea.runtime.plan.TrainingPlanner;
import dev.fovea.runtime.train.Loss;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.WeightsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The training loop: epochs of shuffled, augmented batches through a {@link TrainingSession}, an
 * optimiser stepped with a learning-rate schedule, an evaluation on the test split after each epoch,
 * checkpoints, early stopping and a guard that stops a diverged run with the first non-finite value.
 * <pre>
 *   Trainer trainer = Trainer.builder(session, optimizer, trainLoader)
 *           .test(testLoader).epochs(10).schedule(Schedule.cosine(0.05, steps, 0)).build();
 *   List&lt;EpochResult&gt; history = trainer.fit();
 * </pre>
 * Each step's batch depends only on the loader's seed, the epoch and the batch's index, and everything
 * else that changes is in a {@link Checkpoint}: a resumed run gives bit-identical weights.
 */
public final class Trainer implements AutoCloseable {
    private final TrainingSession first;
    private TrainingSession session;
    private Optimizer optimizer;
    private final Unfreezing unfreezing;
    /** The frozen tensors of the session in use, to see when a stage of unfreezing changes them. */
    private Set<String> frozen;
    private final Loader train;
    private final Loader test;
    private final Schedule schedule;
    private final int epochs;
    private final List<TrainingListener> listeners;
    private final CheckpointPolicy checkpoints;
    private final int patience;
    private final double clipNorm;
    private final GradientReducer reducer;
    private final String modelName;
    private final int classes;

    private final List<EpochResult> history = new ArrayList<>();
    /** Set from another thread (a signal handler) to end the run after the current step. */
    private volatile boolean stopRequested;
    private boolean stopped;
    private int epoch;
    private int batch;
    private double lossSum;
    private long correct;
    private long seen;

    private Trainer(Builder b) {
        this.first = b.session;
        this.session = b.session;
        this.optimizer = b.optimizer;
        this.unfreezing = b.unfreezing;
        this.frozen = b.unfreezing == null ? Set.of() : b.unfreezing.graph().frozen();
        this.train = b.train;
        this.test = b.test;
        this.schedule = b.schedule != null ? b.schedule : Schedule.constant(b.optimizer.learningRate());
        this.epochs = b.epochs;
        this.listeners = List.copyOf(b.listeners);
        this.checkpoints = b.checkpoints;
        this.patience = b.patience;
        this.clipNorm = b.clipNorm;
        this.reducer = b.reducer;
        this.modelName = b.modelName;
        this.classes = Math.toIntExact(session.logitsShape().elements());
        if (train.batch() != session.batch()) {
            throw new IllegalArgumentException("the loader gives batches of " + train.batch() + "; the session takes " + session.batch());
        }
        checkClasses(train);
        if (test != null) {
            checkClasses(test);
        }
        if (patience > 0 && test == null) {
            throw new IllegalArgumentException("early stopping watches the test (or validation) loss: give a test loader");
        }
    }

    private void checkClasses(Loader loader) {
        int dataClasses = loader.data().classes().size();
        if (dataClasses > classes) {
            throw new IllegalArgumentException(loader.data().name() + " has " + dataClasses + " classes; the model's output has " + classes
                    + ". Give a model with " + dataClasses + " outputs, or a class subset");
        }
    }

    public static Builder builder(TrainingSession session, Optimizer optimizer, Loader train) {
        return new Builder(session, optimizer, train);
    }

    /** The finished epochs' figures, resumed ones included. */
    public List<EpochResult> history() {
        return List.copyOf(history);
    }

    /** The epoch the next step belongs to (0-based). */
    public int epoch() {
        return epoch;
    }

    /**
     * Trains until the last epoch (or early stopping) and returns every epoch's figures. Stopping at a
     * step ({@code maxSteps}) instead leaves the run where a checkpoint can continue it.
     */
    public List<EpochResult> fit() {
        return fit(Long.MAX_VALUE);
    }

    /** Trains for at most {@code maxSteps} more optimiser steps (tests use it to stop part-way). */
    public List<EpochResult> fit(long maxSteps) {
        long stopAt = maxSteps == Long.MAX_VALUE ? Long.MAX_VALUE : optimizer.steps() + maxSteps;
        stopped = false;
        while (epoch < epochs && !stoppedEarly()) {
            unfreezeFor(epoch);
            if (!runEpoch(stopAt)) {
                break;
            }
        }
        return history();
    }

    /**
     * Asks a running {@link #fit} to end after the step under way, with a checkpoint of exactly that point
     * when a checkpoint policy is set (for Ctrl-C: nothing is lost, and a resume continues bit for bit).
     * Safe to call from any thread.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** Whether the last {@link #fit} ended on {@link #requestStop}. */
    public boolean stopped() {
        return stopped;
    }

    /** Runs the rest of the current epoch; false when {@code stopAt} came first. */
    private boolean runEpoch(long stopAt) {
        long start = System.nanoTime();
        int firstBatch = batch;
        Scores scores = new Scores(classes, session.loss().penalties());
        scores.restore(correct, seen);
        int steps = train.batchesPerEpoch();
        long waitNanos;
        try (Loader.Epoch data = train.epoch(epoch, batch)) {
            for (Batch b; optimizer.steps() < stopAt && !stopped && (b = data.next()) != null; ) {
                step(b, scores);
                batch = b.index() + 1;
                double seconds = (System.nanoTime() - start) / 1e9;
                Progress p = new Progress(epoch, epochs, batch, steps, lossSum / seen, scores.top1(), optimizer.learningRate(),
                        (batch - firstBatch) * (double) train.batch() / seconds, seconds, data.dataWaitNanos() / 1e9);
                listeners.forEach(l -> l.step(p));
                if (stopRequested && batch < steps) {
                    stopped = true;
                    if (checkpoints != null) {
                        checkpoint();
                    }
                } else if (checkpoints != null && checkpoints.everySteps() > 0 && optimizer.steps() % checkpoints.everySteps() == 0
                        && batch < steps) {
                    checkpoint();
                }
            }
            waitNanos = data.dataWaitNanos();
        }
        if (batch < steps) {
            return false;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Evaluation t = test == null ? null : evaluate(session, test);
        EpochResult result = new EpochResult(epoch, lossSum / seen, scores.top1(), t == null ? Double.NaN : t.loss(),
                t == null ? Double.NaN : t.top1(), t == null ? Double.NaN : t.top5(), optimizer.learningRate(), seconds,
                (steps - firstBatch) * (double) train.batch() / seconds, waitNanos / 1e9);
        history.add(result);
        epoch++;
        batch = 0;
        lossSum = 0;
        correct = 0;
        seen = 0;
        listeners.forEach(l -> l.epoch(result));
        if (checkpoints != null) {
            checkpoint();
        }
        if (stopRequested && epoch < epochs) {
            stopped = true;
            return false;
        }
        return true;
    }

    private void step(Batch b, Scores scores) {
        optimizer.learningRate(schedule.at(optimizer.steps()));
        double loss = session.forwardBackward(b.images(), b.labels());
        if (!Double.isFinite(loss)) {
            String where = session.firstNonFinite();
            throw new NonFiniteException(String.format(Locale.ROOT,
                    "training diverged in epoch %d at step %d: the loss is %s; the first non-finite value is in %s. Try a lower learning "
                            + "rate (now %.3g) or gradient clipping",
                    epoch + 1, batch + 1, loss, where == null ? "the loss" : where, optimizer.learningRate()));
        }
        reducer.reduce(session.gradients());
        if (clipNorm > 0) {
            Clipping.clipGlobalNorm(session.gradients(), clipNorm);
        }
        optimizer.step();
        scores.add(session.logits(), b.labels(), b.count());
        lossSum += loss * b.count();
        seen += b.count();
        correct = scores.top1Correct();
    }

    /**
     * Plans the session and optimiser of {@code epoch} when a stage of unfreezing changes the frozen tensors:
     * the new optimiser continues the old one's state for the tensors both train, and its step count.
     */
    private void unfreezeFor(int epoch) {
        if (unfreezing == null) {
            return;
        }
        var graph = unfreezing.at(epoch);
        if (graph.frozen().equals(frozen)) {
            return;
        }
        TrainingSession next = TrainingPlanner.session(graph, session.parameters(), session.batch(), session.threads());
        next.loss(session.loss());
        next.steps(session.steps());
        Optimizer nextOptimizer = unfreezing.optimizers().apply(next);
        Map<String, LoadedTensor> from = optimizer.state();
        Map<String, LoadedTensor> into = nextOptimizer.state();
        into.forEach((name, tensor) -> {
            var old = from.get(name);
            if (old != null && old.data().length == tensor.data().length) {
                System.arraycopy(old.data(), 0, tensor.data(), 0, tensor.data().length);
            }
        });
        nextOptimizer.loadState(into);
        if (session != first) {
            session.close();
        }
        session = next;
        optimizer = nextOptimizer;
        frozen = graph.frozen();
    }

    /** Closes the sessions this trainer planned itself (for unfreezing); the first one is the caller's. */
    @Override
    public void close() {
        if (session != first) {
            session.close();
            session = first;
        }
    }

    /** The optimiser stepping now: the caller's, or the one made when layers unfroze. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The session training now: the caller's, or the one planned when layers unfroze. */
    public TrainingSession session() {
        return session;
    }

    private boolean stoppedEarly() {
        if (patience <= 0 || history.size() <= patience) {
            return false;
        }
        int best = 0;
        for (int i = 1; i < history.size(); i++) {
            if (history.get(i).testLoss() < history.get(best).testLoss()) {
                best = i;
            }
        }
        return history.size() - 1 - best >= patience;
    }

    /** Whether the last {@link #fit} ended because the test loss stopped improving. */
    public boolean earlyStopped() {
        return epoch < epochs && stoppedEarly();
    }

    /**
     * Mean loss (without label smoothing: {@link Loss#evaluation}), top-1, top-5 and the confusion matrix of the
     * session's model on every sample of {@code loader}.
     */
    public static Evaluation evaluate(TrainingSession session, Loader loader) {
        if (loader.batch() != session.batch()) {
            throw new IllegalArgumentException("the loader gives batches of " + loader.batch() + "; the session takes " + session.batch());
        }
        int classes = Math.toIntExact(session.logitsShape().elements());
        Loss loss = session.loss().evaluation();
        Scores scores = new Scores(classes, loss.penalties());
        float[] gradient = new float[session.batch() * classes];
        double lossSum = 0;
        try (Loader.Epoch data = loader.epoch(0, 0)) {
            for (Batch b; (b = data.next()) != null; ) {
                float[] logits = session.evaluateLogits(b.images());
                lossSum += loss.compute(logits, b.labels(), gradient, b.count(), classes) * b.count();
                scores.add(logits, b.labels(), b.count());
            }
        }
        return new Evaluation(lossSum / scores.count(), scores.top1(), scores.top5(), scores.count(), scores.confusion());
    }

    /** Writes a checkpoint of where the run stands now, and prunes the old ones. */
    public Path checkpoint() {
        if (checkpoints == null) {
            throw new IllegalStateException("no checkpoint directory was given");
        }
        checkpoints.createDirectory();
        Path file = checkpoints.file(optimizer.steps());
        state().write(file);
        checkpoints.prune();
        listeners.forEach(l -> l.checkpoint(file));
        return file;
    }

    /** The run's state as a checkpoint (sharing the live arrays until written). */
    public Checkpoint state() {
        Checkpoint.Position position = new Checkpoint.Position(modelName, optimizer.getClass().getSimpleName(), train.batch(), train.seed(),
                epoch, batch, session.steps(), lossSum, correct, seen);
        return new Checkpoint(position, session.parameters().asMap(), optimizer.state(), history);
    }

    /**
     * Continues from a checkpoint file, or the newest in a directory: the weights, the optimiser, the step
     * counts, the position in the data and the history. The run must be set up as it was (the same model,
     * optimiser, batch and seed); a difference is an error that names it.
     */
    public void resume(Path checkpointOrDirectory) {
        Path file = checkpointOrDirectory;
        if (Files.isDirectory(file)) {
            file = CheckpointPolicy.newest(checkpointOrDirectory);
            if (file == null) {
                throw new WeightsException(checkpointOrDirectory + ": no checkpoint in this directory");
            }
        }
        Checkpoint c = Checkpoint.read(file);
        Checkpoint.Position p = c.position();
        mustMatch(file, "model", p.modelName(), modelName);
        mustMatch(file, "optimizer", p.optimizerName(), optimizer.getClass().getSimpleName());
        mustMatch(file, "batch size", Integer.toString(p.batchSize()), Integer.toString(train.batch()));
        mustMatch(file, "seed", Long.toString(p.seed()), Long.toString(train.seed()));
        if (p.batch() > train.batchesPerEpoch()) {
            throw new WeightsException(file + ": stands at batch " + p.batch() + " of an epoch of " + train.batchesPerEpoch()
                    + "; the data set differs from the one it was trained on");
        }
        session.parameters().load(c.model(), file.toString());
        unfreezeFor(p.epoch());
        try {
            optimizer.loadState(c.optimizer());
        } catch (IllegalArgumentException e) {
            throw new WeightsException(file + ": " + e.getMessage(), e);
        }
        session.steps(p.sessionSteps());
        history.clear();
        history.addAll(c.history());
        epoch = p.epoch();
        batch = p.batch();
        lossSum = p.lossSum();
        correct = p.correct();
        seen = p.seen();
    }

    private static void mustMatch(Path file, String what, String saved, String now) {
        if (saved != null && !saved.equals(now)) {
            throw new WeightsException(file + ": was written with " + what + " " + saved + ", this run has " + now
                    + "; resume with the same settings");
        }
    }

    /** Sets up a {@link Trainer}; everything but the session, the optimiser and the training data is optional. */
    public static final class Builder {
        private final TrainingSession session;
        private final Optimizer optimizer;
        private final Loader train;
        private Loader test;
        private Schedule schedule;
        private int epochs = 1;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private CheckpointPolicy checkpoints;
        private int patience;
        private double clipNorm;
        private GradientReducer reducer = GradientReducer.NONE;
        private String modelName = "model";
        private Unfreezing unfreezing;

        private Builder(TrainingSession session, Optimizer optimizer, Loader train) {
            this.session = session;
            this.optimizer = optimizer;
            this.train = train;
        }

        /** Evaluated after every epoch (a test or validation split). */
        public Builder test(Loader test) {
            this.test = test;
            return this;
        }

        /** The learning rate by optimiser step; without one the optimiser's rate stays. */
        public Builder schedule(Schedule schedule) {
            this.schedule = schedule;
            return this;
        }

        public Builder epochs(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("train for at least one epoch, not " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        public Builder listener(TrainingListener listener) {
            listeners.add(listener);
            return this;
        }

        public Builder checkpoints(CheckpointPolicy policy) {
            this.checkpoints = policy;
            return this;
        }

        /** Stops when the test loss has not improved for {@code epochs} epochs (0: never). */
        public Builder earlyStopping(int epochs) {
            this.patience = epochs;
            return this;
        }

        /** Clips the gradients' global L2 norm to {@code maxNorm} before each update (0: never). */
        public Builder clipGradients(double maxNorm) {
            this.clipNorm = maxNorm;
            return this;
        }

        public Builder gradientReducer(GradientReducer reducer) {
            this.reducer = reducer;
            return this;
        }

        /** Unfreezes frozen tensors at the epochs {@code unfreezing} gives (progressive fine-tuning). */
        public Builder unfreezing(Unfreezing unfreezing) {
            this.unfreezing = unfreezing;
            return this;
        }

        /** The model's name, written into checkpoints and checked on resume. */
        public Builder modelName(String name) {
            this.modelName = name;
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }
}
