package dev.fovea.zoo.cli;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.data.Augmentation;
import dev.fovea.runtime.data.DataSources;
import dev.fovea.runtime.data.Dataset;
import dev.fovea.runtime.data.Loader;
import dev.fovea.runtime.fit.CheckpointPolicy;
import dev.fovea.runtime.fit.EpochResult;
import dev.fovea.runtime.fit.Evaluation;
import dev.fovea.runtime.fit.FeatureCache;
import dev.fovea.runtime.fit.Trainer;
import dev.fovea.runtime.fit.Unfreezing;
import dev.fovea.runtime.graph.GraphCut;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.io.AtomicFiles;
import dev.fovea.runtime.optim.Adam;
import dev.fovea.runtime.optim.Optimizer;
import dev.fovea.runtime.optim.Schedule;
import dev.fovea.runtime.optim.Sgd;
import dev.fovea.runtime.plan.TrainingPlanner;
import dev.fovea.runtime.train.Loss;
import dev.fovea.runtime.train.RbfLoss;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.SafeTensors;
import dev.fovea.runtime.weights.Transfer;
import dev.fovea.zoo.Zoo;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code fovea train}: trains a network on real data, with progress, checkpoints and exact resume. */
@Command(name = "fovea train", mixinStandardHelpOptions = false, sortOptions = false, usageHelpWidth = 110,
        description = {"Trains MODEL on a data set (Fashion-MNIST by default), evaluating on its test split after every epoch, "
                + "and writes the trained weights. Defaults: SGD with momentum 0.9, learning rate 0.05, weight decay 5e-4, a "
                + "cosine schedule, label smoothing 0.1, batch 64, 10 epochs, inputs normalised with the training data's mean and "
                + "standard deviation."})
final class TrainCommand implements Callable<Integer> {
    enum OptimizerKind { SGD, ADAM, ADAMW }

    enum ScheduleKind { COSINE, STEP, ONECYCLE, CONSTANT }

    @CommandLine.Parameters(index = "0", paramLabel = "MODEL", description = "a zoo network, in any case, or torchvision's name for it")
    String model;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--validation", paramLabel = "N", description = "hold out N random training samples and evaluate on them each epoch; "
            + "the test split is evaluated once at the end")
    Integer validation;

    @Option(names = "--epochs", paramLabel = "N", description = "default 10")
    int epochs = 10;

    @Option(names = "--batch", paramLabel = "B", description = "default 64")
    int batch = 64;

    @Option(names = "--optimizer", paramLabel = "KIND", description = "sgd (default), adam or adamw")
    OptimizerKind optimizer = OptimizerKind.SGD;

    @Option(names = "--lr", paramLabel = "X", description = "peak learning rate; default 0.05 for sgd, 0.001 for adam and adamw")
    Double lr;

    @Option(names = "--momentum", paramLabel = "X", description = "sgd's momentum, default 0.9")
    double momentum = 0.9;

    @Option(names = "--nesterov", description = "Nesterov momentum")
    boolean nesterov;

    @Option(names = "--weight-decay", paramLabel = "X", description = "default 5e-4 for sgd, 0 for adam, 0.01 for adamw")
    Double weightDecay;

    @Option(names = "--schedule", paramLabel = "KIND", description = "cosine (default), step (x0.1 at 50%% and 75%%), onecycle or constant")
    ScheduleKind schedule = ScheduleKind.COSINE;

    @Option(names = "--warmup", paramLabel = "EPOCHS", description = "linear warm-up over the first EPOCHS epochs")
    int warmup;

    @Option(names = "--label-smoothing", paramLabel = "X", description = "cross-entropy against targets smoothed by X; default 0.1, "
            + "0 for none (test losses are always without)")
    double labelSmoothing = 0.1;

    @Option(names = "--clip", paramLabel = "NORM", description = "clip the gradients' global L2 norm")
    double clip;

    @Option(names = "--augment", paramLabel = "LIST", description = "none (default), or a list of crop=PADDING, flip, resize=SIZE")
    String augment = "none";

    @Option(names = "--normalize", paramLabel = "SPEC", description = "auto (default: the training data's statistics), none, imagenet, "
            + "or MEANS/STDS such as 0.5/0.25")
    String normalize = "auto";

    @Option(names = "--early-stop", paramLabel = "N", description = "stop when the test loss has not improved for N epochs")
    int earlyStop;

    @Option(names = "--threads", paramLabel = "T", description = "default: every processor")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--seed", paramLabel = "S", description = "initialisation, shuffling, augmentation and dropout; default 1")
    long seed = 1;

    @Option(names = "--weights", paramLabel = "FILE", description = "start from these weights instead of a random initialisation")
    Path weights;

    @Option(names = "--base-weights", paramLabel = "FILE", description = "fine-tuning a network derived from another (@Derive): load "
            + "the base's weights into the inherited layers by name; the new layers start initialised")
    Path baseWeights;

    @Option(names = "--inherited-lr", paramLabel = "X", description = "with --base-weights, the inherited layers that are not frozen train "
            + "at the learning rate times X (e.g. 0.1); default 1")
    double inheritedLr = 1;

    @Option(names = "--unfreeze", paramLabel = "MEMBER@EPOCH", split = ",", description = "progressive fine-tuning: a frozen member "
            + "(a stage, a block use) that trains from that epoch on (counted from 1), e.g. layer4@3,layer3@5")
    List<String> unfreeze = List.of();

    @Option(names = "--cache-features", description = "fine-tuning with a frozen body: run the frozen layers once per image and train "
            + "the rest on what they give (needs deterministic transforms; not with --unfreeze)")
    boolean cacheFeatures;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "write checkpoints here, at least after every epoch")
    Path checkpointDir;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "also every N steps")
    long checkpointEvery;

    @Option(names = "--keep", paramLabel = "K", description = "checkpoints kept, newest first; default 3")
    int keep = 3;

    @Option(names = "--resume", paramLabel = "FILE|DIR", description = "continue from a checkpoint, or the newest in a directory")
    Path resume;

    @Option(names = "--output", paramLabel = "FILE", description = "the trained weights; default MODEL.safetensors")
    Path output;

    @Option(names = "--json", description = "one JSON object per epoch on standard output, and nothing else")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE", description = "the loss and accuracy curves as SVG")
    Path plot;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final Cli cli;
    private Zoo zoo;
    private PrintStream out;

    TrainCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws Exception {
        zoo = cli.zoo();
        out = cli.out;
        checkRanges();
        String name = Main.resolve(zoo, model);
        if (baseWeights != null && zoo.newTensors(name).isEmpty()) {
            throw new UsageException("--base-weights: " + Zoo.simpleName(name) + " is not derived from another network (@Derive);"
                    + " start from its own weights with --weights");
        }
        ModelInfo info = zoo.info(name);
        String simple = Zoo.simpleName(name);
        NetworkGraph graph = zoo.graph(name);
        KernelWarmUp warmUp = KernelWarmUp.start(graph, info, zoo.newParameters(name, seed), batch);
        try {
            return train(name, info, simple, graph, warmUp);
        } finally {
            if (warmUp != null) {
                warmUp.close();
            }
        }
    }

    /** The command once the network is known; {@code warmUp} (or null) runs until the data are read. */
    private int train(String name, ModelInfo info, String simple, NetworkGraph graph, KernelWarmUp warmUp) throws Exception {
        DataSources.Splits splits = data.open(info.input());
        Dataset train = splits.train();
        Dataset test = splits.test();
        Dataset finalTest = null;
        if (validation != null) {
            Dataset.Split split;
            try {
                split = train.holdOut(validation, seed ^ 0x5DEECE66DL);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--validation: " + e.getMessage());
            }
            train = split.train();
            finalTest = test;
            test = split.validation();
        }
        Pipelines.Pair pipes = Pipelines.build(train, info.input(), augment, normalize);
        String boundary = cacheFeatures ? featureBoundary(graph, simple, pipes) : null;

        Parameters parameters = zoo.newParameters(name, seed);
        if (weights != null) {
            parameters.load(SafeTensors.read(weights), weights.toString());
        }
        List<String> newTensors = baseWeights == null ? List.of() : loadBase(name, parameters);
        Loader trainLoader;
        Loader testLoader;
        Loader finalTestLoader;
        NetworkGraph trained = graph;
        if (boundary != null) {
            long start = System.nanoTime();
            Dataset trainFeatures = FeatureCache.features(graph, boundary, parameters, train, pipes.train(), batch, threads);
            Augmentation none = Augmentation.none(trainFeatures.sampleShape());
            trainLoader = new Loader(trainFeatures, none, batch, true, true, seed);
            testLoader = test == null ? null
                    : new Loader(FeatureCache.features(graph, boundary, parameters, test, pipes.eval(), batch, threads), none, batch, false, false, seed);
            finalTestLoader = finalTest == null ? null : new Loader(FeatureCache.features(graph, boundary, parameters, finalTest, pipes.eval(),
                    batch, threads), none, batch, false, false, seed);
            trained = GraphCut.after(graph, boundary);
            if (!json) {
                out.printf(Locale.ROOT, "features: the output of %s (%s) for %,d images, computed once in %.1f s%n", boundary,
                        trainFeatures.sampleShape(), train.size() + (test == null ? 0 : test.size()) + (finalTest == null ? 0 : finalTest.size()),
                        (System.nanoTime() - start) / 1e9);
            }
        } else {
            trainLoader = new Loader(train, pipes.train(), batch, true, true, seed);
            testLoader = test == null ? null : new Loader(test, pipes.eval(), batch, false, false, seed);
            finalTestLoader = finalTest == null ? null : new Loader(finalTest, pipes.eval(), batch, false, false, seed);
        }
        ProgressPrinter.Mode mode = json ? ProgressPrinter.Mode.JSON
                : System.console() != null && System.console().isTerminal() ? ProgressPrinter.Mode.TERMINAL : ProgressPrinter.Mode.PLAIN;
        if (warmUp != null) {
            warmUp.close();
        }
        try (TrainingSession session = TrainingPlanner.session(trained, parameters, batch, threads)) {
            session.loss(loss(name));
            Optimizer opt = optimizer(session, newTensors);
            long steps = (long) epochs * trainLoader.batchesPerEpoch();
            Trainer.Builder b = Trainer.builder(session, opt, trainLoader).epochs(epochs).schedule(schedule(steps, trainLoader))
                    .earlyStopping(earlyStop).clipGradients(clip).modelName(simple)
                    .listener(new ProgressPrinter(out, mode));
            if (testLoader != null) {
                b.test(testLoader);
            }
            if (checkpointDir != null) {
                b.checkpoints(new CheckpointPolicy(checkpointDir, checkpointEvery, keep));
            }
            if (!unfreeze.isEmpty()) {
                b.unfreezing(unfreezing(name, newTensors));
            }
            Trainer trainer;
            try {
                trainer = b.build();
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            if (!json) {
                out.printf(Locale.ROOT, "%s: %,d parameters; %s, %,d training samples%s; %s; batch %d, %d epoch(s) of %d steps, %s, %d threads%n",
                        simple, info.params(), train.name(), train.size(), test == null ? "" : String.format(Locale.ROOT, ", %,d %s samples",
                                test.size(), validation != null ? "validation" : "test"), pipes.train(), batch, epochs,
                        trainLoader.batchesPerEpoch(), describe(opt), threads);
            }
            if (resume != null) {
                trainer.resume(resume);
                if (!json) {
                    out.printf(Locale.ROOT, "resumed from %s: epoch %d, step %d%n", resume, trainer.epoch() + 1, trainer.optimizer().steps());
                }
            }
            Thread onSignal = stopOnSignal(trainer);
            try (trainer) {
                return finish(trainer, simple, pipes, finalTestLoader, session);
            } finally {
                release(onSignal);
            }
        }
    }

    /** --cache-features' cut: where the frozen, deterministic part ends; checks that caching it is sound. */
    private String featureBoundary(NetworkGraph graph, String simple, Pipelines.Pair pipes) throws UsageException {
        if (!unfreeze.isEmpty()) {
            throw new UsageException("--cache-features and --unfreeze: unfrozen layers change their features; give one");
        }
        if (!FeatureCache.deterministic(pipes.train())) {
            throw new UsageException("--cache-features computes the frozen layers once per image; random augmentation (" + pipes.train()
                    + ") changes the images every epoch");
        }
        return GraphCut.frozenBoundary(graph).orElseThrow(() -> new UsageException("--cache-features: nothing before the head of "
                + simple + " is frozen (freeze its body with @Derive's freezeUpTo or @Frozen)"));
    }

    /** Fine-tuning's start: the base's weights into the derived network's inherited layers; returns the new layers' tensors. */
    private List<String> loadBase(String name, Parameters parameters) {
        List<String> newTensors = zoo.newTensors(name).orElseThrow();
        Transfer transfer = parameters.loadBase(SafeTensors.read(baseWeights), newTensors, baseWeights.toString());
        if (!json) {
            out.println(baseWeights + ": " + transfer.summary());
        }
        return newTensors;
    }

    /** Trains to the end (or to a stop), then writes and says what the run produced; returns the exit code. */
    private int finish(Trainer trainer, String simple, Pipelines.Pair pipes, Loader finalTest,
            TrainingSession session) throws java.io.IOException {
        Parameters parameters = session.parameters();
        List<EpochResult> history = trainer.fit();
        Optimizer opt = trainer.optimizer();
        if (trainer.stopped()) {
            out.println(checkpointDir == null
                    ? "stopped at epoch " + (trainer.epoch() + 1) + ", step " + opt.steps() + "; without --checkpoint-dir nothing was kept"
                    : "stopped at epoch " + (trainer.epoch() + 1) + ", step " + opt.steps() + "; continue with --resume " + checkpointDir);
            return 130;
        }
        Path target = output != null ? output : Path.of(simple.toLowerCase(Locale.ROOT) + ".safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("model", simple);
        meta.put("epochs", Integer.toString(history.size()));
        if (pipes.normalize() != null) {
            meta.put("normalize", Pipelines.format(pipes.normalize()));
        }
        SafeTensors.write(target, parameters.asMap(), meta);
        if (plot != null) {
            AtomicFiles.writeString(plot, CurvesSvg.render(simple + " on " + data.spec, history));
        }
        if (finalTest != null) {
            Evaluation e = Trainer.evaluate(session, finalTest);
            if (!json) {
                out.printf(Locale.ROOT, "test: loss %.4f  top-1 %.2f%%  top-5 %.2f%% on %,d samples%n", e.loss(), 100 * e.top1(),
                        100 * e.top5(), e.count());
            }
        }
        if (!json) {
            out.println(target + ": the trained weights" + (trainer.earlyStopped() ? " (stopped early)" : "")
                    + (plot != null ? "; " + plot + ": the curves" : ""));
        }
        return 0;
    }

    /**
     * Ctrl-C (or a SIGTERM) asks the training to stop after the step under way: the JVM's shutdown waits
     * until this command has written that step's checkpoint and said so, so the run resumes exactly where it
     * stopped. Released when the command ends, however it ends.
     */
    private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);

    private Thread stopOnSignal(Trainer trainer) {
        Thread onSignal = new Thread(() -> {
            trainer.requestStop();
            try {
                finished.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "fovea-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        return onSignal;
    }

    private void release(Thread onSignal) {
        out.flush();
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(onSignal);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it has just been released
        }
    }

    private void checkRanges() throws UsageException {
        positive("--epochs", epochs);
        positive("--batch", batch);
        positive("--threads", threads);
        positive("--keep", keep);
        if (lr != null && !(lr > 0)) {
            throw new UsageException("--lr must be positive, not " + lr);
        }
        if (warmup < 0 || warmup >= epochs) {
            throw new UsageException("--warmup takes 0 to " + (epochs - 1) + " epochs, not " + warmup);
        }
        if (labelSmoothing < 0 || labelSmoothing >= 1) {
            throw new UsageException("--label-smoothing lies in [0, 1), not " + labelSmoothing);
        }
        if (baseWeights != null && weights != null) {
            throw new UsageException("--weights and --base-weights: give one; --base-weights starts a derived network from its base's weights");
        }
        if (!(inheritedLr >= 0) || (inheritedLr != 1 && baseWeights == null)) {
            throw new UsageException("--inherited-lr takes a factor of 0 or more, and --base-weights with it, not " + inheritedLr);
        }
        if (checkpointEvery < 0 || earlyStop < 0 || clip < 0 || momentum < 0) {
            throw new UsageException("--checkpoint-every, --early-stop, --clip and --momentum cannot be negative");
        }
    }

    private static void positive(String flag, long value) throws UsageException {
        if (value < 1) {
            throw new UsageException(flag + " must be at least 1, not " + value);
        }
    }

    private Loss loss(String name) {
        return lossOf(zoo, name, labelSmoothing);
    }

    /** LeNet-5's RBF output trains with its own criterion (LeCun et al. 1998, eq. 9); everything else with cross-entropy. */
    static Loss lossOf(Zoo zoo, String name, double labelSmoothing) {
        List<Layer> layers = zoo.graph(name).layers();
        if (layers.getLast() instanceof Layer.EuclideanRbf) {
            return new RbfLoss(1);
        }
        return Loss.crossEntropy(labelSmoothing);
    }

    /** The optimiser the flags ask for, with --inherited-lr's rate for the tensors that are not the network's new ones. */
    private Optimizer optimizer(TrainingSession s, List<String> newTensors) {
        Optimizer o = optimizer(s);
        if (inheritedLr != 1) {
            o.scaleRate(s.gradients().names().stream().filter(t -> !newTensors.contains(t)).toList(), inheritedLr);
        }
        return o;
    }

    /** --unfreeze's stages: each member's frozen tensors, from its epoch on. */
    private Unfreezing unfreezing(String name, List<String> newTensors) throws UsageException {
        NetworkGraph graph = zoo.graph(name);
        Map<Integer, List<String>> stages = new LinkedHashMap<>();
        for (String stage : unfreeze) {
            int at = stage.lastIndexOf('@');
            int epoch;
            try {
                epoch = at < 1 ? -1 : Integer.parseInt(stage.substring(at + 1));
            } catch (NumberFormatException e) {
                epoch = -1;
            }
            if (epoch < 1 || epoch > epochs) {
                throw new UsageException("--unfreeze takes MEMBER@EPOCH with an epoch from 1 to " + epochs + ", not " + stage);
            }
            List<String> tensors = graph.frozenTensorsOf(stage.substring(0, at));
            if (tensors.isEmpty()) {
                throw new UsageException("--unfreeze: " + stage.substring(0, at) + " names no frozen layer of " + Zoo.simpleName(name));
            }
            stages.computeIfAbsent(epoch - 1, k -> new ArrayList<>()).addAll(tensors);
        }
        return new Unfreezing(graph, stages, s -> optimizer(s, newTensors));
    }

    private Optimizer optimizer(TrainingSession s) {
        return switch (optimizer) {
            case SGD -> new Sgd(s.parameters(), s.gradients(), lr != null ? lr : 0.05, momentum, weightDecay != null ? weightDecay : 5e-4,
                    nesterov, true);
            case ADAM -> new Adam(s.parameters(), s.gradients(), lr != null ? lr : 1e-3, 0.9, 0.999, 1e-8,
                    weightDecay != null ? weightDecay : 0, false, true);
            case ADAMW -> new Adam(s.parameters(), s.gradients(), lr != null ? lr : 1e-3, 0.9, 0.999, 1e-8,
                    weightDecay != null ? weightDecay : 0.01, true, true);
        };
    }

    private Schedule schedule(long steps, Loader loader) {
        double peak = lr != null ? lr : optimizer == OptimizerKind.SGD ? 0.05 : 1e-3;
        Schedule s = switch (schedule) {
            case COSINE -> Schedule.cosine(peak, steps, 0);
            case STEP -> Schedule.multiStep(peak, 0.1, steps / 2, steps * 3 / 4);
            case ONECYCLE -> Schedule.oneCycle(peak, steps, 0.3);
            case CONSTANT -> Schedule.constant(peak);
        };
        return warmup > 0 ? s.withWarmup((long) warmup * loader.batchesPerEpoch()) : s;
    }

    private String describe(Optimizer opt) {
        return String.format(Locale.ROOT, "%s lr %.3g %s", optimizer.name().toLowerCase(Locale.ROOT), opt.learningRate(),
                schedule.name().toLowerCase(Locale.ROOT));
    }
}
