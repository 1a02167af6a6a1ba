package dev.fovea.zoo.cli;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.image.ImagePreprocessing;
import dev.fovea.runtime.io.AtomicFiles;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.SafeTensors;
import dev.fovea.runtime.weights.WeightsException;
import java.nio.file.Path;
import java.util.Map;
import dev.fovea.zoo.Zoo;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The {@code fovea} command. Exit codes: 0 success, 1 a failure while working, 2 a usage mistake
 * (unknown command, model or flag). Errors are one line on stderr, never a stack trace.
 */
public final class Main {
    static final String USAGE = """
            Usage: fovea COMMAND [ARGS]

            Options before or after the command:
              --classpath PATH       also the networks of a compiled project: its classes folder or jar
                                     (several joined with ':'), e.g. --classpath target/classes

            Commands:
              list                   the networks of the zoo, with input, parameters and MACs
              summary MODEL [--json] [--batch N]
                                     the compile-time report of one network: every layer's shape and costs
              bench MODEL [--train] [--batch N] [--threads T] [--seconds S] [--json] [--profile]
                                     latency percentiles, images/s and GFLOP/s of the forward pass
                                     or, with --train, of a training step
              infer MODEL --weights W --input X --output Y [--threads T]
                                     batch inference: X holds one NCHW float tensor, Y gets the logits
              predict MODEL --weights W IMAGE... [--top K] [--threads T]
                                     the top labels of each image, with probabilities
              grad MODEL --weights W --input X --output G [--threads T]
                                     one training-mode forward and backward: the loss and every gradient
              train MODEL [--data SPEC] [--epochs N] [--batch B] [--optimizer sgd|adam|adamw] [--lr X] ...
                                     trains on real data (Fashion-MNIST by default) with progress,
                                     checkpoints and exact resume; 'fovea train --help' lists every flag
              eval MODEL --weights W [--data SPEC]
                                     loss, top-1, top-5 and the confusion matrix on a test split
              graph MODEL [--output FILE]
                                     the network drawn as SVG (to standard output without --output)
              help                   this text

            Weights and tensors are safetensors files; PyTorch state dicts load by name.

            MODEL is a zoo network's name in any case, or torchvision's name for it (vgg16, resnet50).
            """;

    private final PrintStream out;
    private final PrintStream err;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(execute(System.out, System.err, args));
    }

    /** Runs a fovea command as the command line would, printing to the given streams; returns the exit code. */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        return new Main(out, err).run(args);
    }

    int run(String[] arguments) {
        try {
            List<String> all = new ArrayList<>(Arrays.asList(arguments));
            String classpath = stringFlag(all, "--classpath");
            if (classpath != null) {
                zoo = UserNetworks.zoo(classpath);
            }
            String[] args = all.toArray(String[]::new);
            if (args.length == 0) {
                throw new UsageException("missing command; try 'fovea help'");
            }
            List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
            switch (args[0]) {
                case "list" -> list(rest);
                case "summary" -> summary(rest);
                case "bench" -> bench(rest);
                case "infer" -> infer(rest);
                case "predict" -> predict(rest);
                case "graph" -> graph(rest);
                case "grad" -> grad(rest);
                case "train" -> Picocli.run(new TrainCommand(zoo(), out), rest, out);
                case "eval" -> Picocli.run(new EvalCommand(zoo(), out), rest, out);
                case "help", "--help", "-h" -> out.print(USAGE);
                default -> throw new UsageException("unknown command '" + args[0] + "'; commands: list, summary, bench, infer, predict, grad, train, eval, graph, help");
            }
            return 0;
        } catch (UsageException e) {
            err.println("fovea: " + e.getMessage());
            return 2;
        } catch (dev.fovea.runtime.weights.WeightsException | dev.fovea.runtime.image.ImagePreprocessing.ImageException e) {
            err.println("fovea: " + e.getMessage());
            return 1;
        } catch (java.io.IOException e) {
            err.println("fovea: " + e.getMessage());
            return 1;
        } catch (dev.fovea.runtime.data.DataException | dev.fovea.runtime.fit.NonFiniteException e) {
            err.println("fovea: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println("fovea: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        } catch (OutOfMemoryError e) {
            err.printf(Locale.ROOT, "fovea: out of memory: the Java heap holds at most %,d MiB; 'fovea summary MODEL --batch N' gives what a "
                    + "training session of N samples needs. Use a smaller --batch, or more heap: FOVEA_JAVA_OPTIONS=-Xmx20g%n",
                    Runtime.getRuntime().maxMemory() >> 20);
            return 1;
        }
    }

    private void list(List<String> args) throws UsageException {
        if (args.contains("--help")) {
            out.println("Usage: fovea list\nLists the zoo's networks with their input shape, parameters and MACs.");
            return;
        }
        noMoreArguments(args);
        Zoo zoo = zoo();
        out.printf(Locale.ROOT, "%-24s %-12s %15s %10s%n", "Model", "Input", "Params", "GMACs");
        for (String name : zoo.networks()) {
            ModelInfo info = zoo.info(name);
            out.printf(Locale.ROOT, "%-24s %-12s %,15d %10.3f%n", Zoo.simpleName(name), info.input(), info.params(), info.macs() / 1e9);
        }
    }

    private void summary(List<String> args) throws UsageException {
        if (args.contains("--help")) {
            out.println("""
                    Usage: fovea summary MODEL [--json] [--batch N]
                    Prints the layer table the compiler computed, or with --json its report. --batch N adds the memory
                    a training session of N samples holds.""");
            return;
        }
        boolean json = args.remove("--json");
        int batch = intFlag(args, "--batch", 0, 1, 1 << 20);
        if (args.isEmpty()) {
            throw new UsageException("summary needs a MODEL; 'fovea list' shows them");
        }
        String model = args.removeFirst();
        noMoreArguments(args);
        Zoo zoo = zoo();
        String name = resolve(zoo, model);
        out.print(json ? zoo.report(name) : zoo.info(name).summary(batch));
    }

    private void bench(List<String> args) throws UsageException {
        if (args.contains("--help")) {
            out.println("""
                    Usage: fovea bench MODEL [--train] [--batch N] [--threads T] [--seconds S] [--json] [--profile]
                    Times the forward pass with random weights and input: after a warm-up, runs for S seconds
                    (default 10) and reports median and 90th-percentile latency, images/s and GFLOP/s.
                    --profile adds the time per layer type and the slowest layers (a fused layer's time includes what
                    was fused into it). Defaults: batch 1, threads = available processors.
                    --train times a training step instead (forward, backward, SGD with momentum, on random labels;
                    batch 16 by default); --profile then splits it by layer type into forward and backward, and
                    gives the loss and the update.""");
            return;
        }
        boolean json = args.remove("--json");
        boolean profile = args.remove("--profile");
        boolean train = args.remove("--train");
        int batch = intFlag(args, "--batch", train ? 16 : 1, 1, 4096);
        int threads = intFlag(args, "--threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        int seconds = intFlag(args, "--seconds", 10, 1, 3600);
        if (args.isEmpty()) {
            throw new UsageException("bench needs a MODEL; 'fovea list' shows them");
        }
        String model = args.removeFirst();
        noMoreArguments(args);
        Zoo zoo = zoo();
        String name = resolve(zoo, model);
        ModelInfo info = zoo.info(name);
        if (train) {
            benchTraining(zoo, name, info, batch, threads, seconds, json, profile);
            return;
        }
        try (var session = zoo.session(name, zoo.newParameters(name, 42), batch, threads)) {
            Bench.Result r = Bench.run(Zoo.simpleName(name), info, session, Math.min(5, seconds), seconds);
            out.println(json ? r.json() : r.text());
            if (profile && !json) {
                int runs = Math.max(3, Math.min(50, (int) (2000 / r.medianMs())));
                out.println("By layer type:");
                Map<String, Double> byKind = session.profile(runs);
                // shares of the profiled runs' own total: they are timed apart from the median above
                double total = byKind.values().stream().mapToDouble(Double::doubleValue).sum();
                byKind.forEach((kind, ms) -> out.printf(java.util.Locale.ROOT, "  %-22s %8.2f ms  %5.1f%%%n", kind, ms, 100 * ms / total));
                out.println("Slowest layers:");
                Map<String, Long> macs = new java.util.HashMap<>();
                info.layers().forEach(l -> macs.put(l.name(), l.macs()));
                session.profileSteps(runs).entrySet().stream()
                        .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(5)
                        .forEach(e -> out.printf(java.util.Locale.ROOT, "  %-22s %8.2f ms  %7.1f GFLOP/s%n", e.getKey(), e.getValue(),
                                2.0 * macs.getOrDefault(e.getKey(), 0L) * session.batch() / (e.getValue() * 1e6)));
            }
        }
    }

    private void benchTraining(Zoo zoo, String name, ModelInfo info, int batch, int threads, int seconds, boolean json, boolean profile) {
        try (var session = zoo.trainingSession(name, zoo.newParameters(name, 42), batch, threads)) {
            Bench.Result r = Bench.train(Zoo.simpleName(name), info, session, Math.min(5, seconds), seconds);
            out.println(json ? r.json() : r.text());
            if (profile && !json) {
                int steps = Math.max(3, Math.min(20, (int) (4000 / r.medianMs())));
                Bench.Batch data = Bench.Batch.random(session, info);
                var p = session.profile(data.images(), data.labels(), Bench.sgd(session), steps);
                double total = p.total();
                out.printf(java.util.Locale.ROOT, "Forward %.2f ms (%.1f%%), backward %.2f ms (%.1f%%), zeroing gradients %.2f ms, loss %.2f ms, "
                        + "update %.2f ms%n", p.forwardTotal(), 100 * p.forwardTotal() / total, p.backwardTotal(),
                        100 * p.backwardTotal() / total, p.zeroing(), p.loss(), p.update());
                out.println("Forward by layer type:");
                p.forward().forEach((kind, ms) -> out.printf(java.util.Locale.ROOT, "  %-22s %8.2f ms  %5.1f%%%n", kind, ms, 100 * ms / total));
                out.println("Backward by layer type:");
                p.backward().forEach((kind, ms) -> out.printf(java.util.Locale.ROOT, "  %-22s %8.2f ms  %5.1f%%%n", kind, ms, 100 * ms / total));
            }
        }
    }

    private void infer(List<String> args) throws UsageException, java.io.IOException {
        if (args.contains("--help")) {
            out.println("""
                    Usage: fovea infer MODEL --weights W.safetensors --input X.safetensors --output Y.safetensors [--threads T]
                    Runs the batch in X (one float tensor, N x C x H x W, or C x H x W for one sample) through MODEL
                    with the weights in W, and writes the outputs to Y as one tensor named "logits", N x classes.""");
            return;
        }
        Path weights = pathFlag(args, "--weights", true);
        Path inputFile = pathFlag(args, "--input", true);
        Path outputFile = pathFlag(args, "--output", true);
        int threads = intFlag(args, "--threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        String name = resolve(zoo(), model(args, "infer"));
        noMoreArguments(args);
        ModelInfo info = zoo().info(name);
        Map<String, LoadedTensor> inputs = SafeTensors.read(inputFile);
        if (inputs.size() != 1) {
            throw new WeightsException(inputFile + ": holds " + inputs.size() + " tensors (" + String.join(", ", inputs.keySet())
                    + "); infer takes one, N x " + info.input());
        }
        String tensor = inputs.keySet().iterator().next();
        LoadedTensor x = inputs.get(tensor);
        int batch = Arrays.equals(x.shape(), info.input().dims()) ? 1 : samples(inputFile, tensor, x, name, info);
        Parameters parameters = loadWeights(name, weights);
        long t0 = System.nanoTime();
        float[] logits;
        try (InferenceSession session = zoo().session(name, parameters, batch, threads)) {
            logits = session.run(x.data()).clone();
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        int[] outShape = new int[info.output().rank() + 1];
        outShape[0] = batch;
        System.arraycopy(info.output().dims(), 0, outShape, 1, info.output().rank());
        SafeTensors.write(outputFile, Map.of("logits", new LoadedTensor(outShape, logits)), Map.of("model", Zoo.simpleName(name)));
        out.printf(Locale.ROOT, "%s: logits %s for %d sample%s of %s (%.1f ms, including building the session)%n", outputFile,
                Arrays.toString(outShape), batch, batch == 1 ? "" : "s", Zoo.simpleName(name), ms);
    }

    /** N, for a tensor that must be N x the model's input shape. */
    private static int samples(Path file, String tensor, LoadedTensor x, String name, ModelInfo info) {
        int[] shape = x.shape();
        int[] sample = info.input().dims();
        if (shape.length != sample.length + 1 || shape[0] < 1 || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), sample)) {
            throw new WeightsException(file + ": tensor " + tensor + " is " + Arrays.toString(shape) + " but " + Zoo.simpleName(name)
                    + " takes N x " + info.input());
        }
        return shape[0];
    }

    private void grad(List<String> args) throws UsageException, java.io.IOException {
        if (args.contains("--help")) {
            out.println("""
                    Usage: fovea grad MODEL --weights W.safetensors --input X.safetensors --output G.safetensors [--threads T]
                    X holds "input" (float32, N x C x H x W) and "labels" (I64 or I32, N). Runs one forward and backward
                    pass in training mode (batch statistics; dropout off) with the mean softmax cross-entropy, and
                    writes "loss" and the gradient of every trainable tensor, under the tensor's own name, to G.""");
            return;
        }
        Path weights = pathFlag(args, "--weights", true);
        Path inputFile = pathFlag(args, "--input", true);
        Path outputFile = pathFlag(args, "--output", true);
        int threads = intFlag(args, "--threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        String name = resolve(zoo(), model(args, "grad"));
        noMoreArguments(args);
        ModelInfo info = zoo().info(name);
        Map<String, LoadedTensor> tensors = SafeTensors.read(inputFile);
        LoadedTensor x = tensors.get("input");
        LoadedTensor y = tensors.get("labels");
        if (x == null || y == null) {
            List<String> held = List.copyOf(tensors.keySet());
            throw new WeightsException(inputFile + ": needs tensors named input and labels but holds " + held.size() + " others ("
                    + String.join(", ", held.subList(0, Math.min(3, held.size()))) + (held.size() > 3 ? ", ..." : "") + ")");
        }
        int batch = samples(inputFile, "input", x, name, info);
        if (y.shape().length != 1 || y.shape()[0] != batch) {
            throw new WeightsException(inputFile + ": labels are " + Arrays.toString(y.shape()) + " but input holds " + batch + " samples");
        }
        int[] labels = new int[batch];
        int classes = Math.toIntExact(info.output().elements());
        for (int i = 0; i < batch; i++) {
            float label = y.data()[i];
            if (label != Math.rint(label) || label < 0 || label >= classes) {
                throw new WeightsException(inputFile + ": label " + label + " of sample " + i + " is not a class of " + Zoo.simpleName(name)
                        + " (0 to " + (classes - 1) + ")");
            }
            labels[i] = (int) label;
        }
        Parameters parameters = loadWeights(name, weights);
        Map<String, LoadedTensor> result = new java.util.LinkedHashMap<>();
        double loss;
        try (dev.fovea.runtime.train.TrainingSession session = zoo().trainingSession(name, parameters, batch, threads)) {
            session.dropout(false);
            loss = session.forwardBackward(x.data(), labels);
            result.put("loss", new LoadedTensor(new int[] {}, new float[] {(float) loss}));
            result.putAll(session.gradients().asMap());
        }
        SafeTensors.write(outputFile, result, Map.of("model", Zoo.simpleName(name)));
        out.printf(Locale.ROOT, "%s: loss %.6f and %d gradients for %d sample%s of %s%n", outputFile, loss, result.size() - 1, batch,
                batch == 1 ? "" : "s", Zoo.simpleName(name));
    }

    private void predict(List<String> args) throws UsageException {
        if (args.contains("--help")) {
            out.println("""
                    Usage: fovea predict MODEL --weights W.safetensors IMAGE... [--top K] [--threads T]
                    Resizes, crops and normalises each image as torchvision's evaluation transform does, runs them as
                    one batch, and prints the K (default 5) likeliest labels of each, with probabilities. Models with
                    1000 outputs are labelled with ImageNet's classes; others by index.""");
            return;
        }
        Path weights = pathFlag(args, "--weights", true);
        int top = intFlag(args, "--top", 5, 1, 1000);
        int threads = intFlag(args, "--threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        String name = resolve(zoo(), model(args, "predict"));
        if (args.isEmpty()) {
            throw new UsageException("predict needs at least one IMAGE");
        }
        for (String a : args) {
            if (a.startsWith("--")) {
                throw new UsageException("unknown flag '" + a + "'");
            }
        }
        ModelInfo info = zoo().info(name);
        if (info.input().rank() != 3) {
            throw new UsageException(Zoo.simpleName(name) + " does not take images (its input is " + info.input() + ")");
        }
        int[] dims = info.input().dims();
        int size = (int) info.input().elements();
        float[] batch = new float[args.size() * size];
        for (int i = 0; i < args.size(); i++) {
            ImagePreprocessing.load(Path.of(args.get(i)), dims[0], dims[1], dims[2], batch, i * size);
        }
        Parameters parameters = loadWeights(name, weights);
        List<String> labels = info.output().elements() == 1000 ? imagenetLabels() : List.of();
        boolean probabilities = info.layers().getLast().type().equals("Softmax");
        try (InferenceSession session = zoo().session(name, parameters, args.size(), threads)) {
            float[] logits = session.run(batch);
            int classes = (int) info.output().elements();
            for (int i = 0; i < args.size(); i++) {
                float[] p = Arrays.copyOfRange(logits, i * classes, (i + 1) * classes);
                if (!probabilities) {
                    softmax(p);
                }
                out.println(args.get(i));
                boolean[] taken = new boolean[classes];
                for (int k = 0; k < Math.min(top, classes); k++) {
                    int best = -1;
                    for (int c = 0; c < classes; c++) {
                        if (!taken[c] && (best < 0 || p[c] > p[best])) {
                            best = c;
                        }
                    }
                    taken[best] = true;
                    out.printf(Locale.ROOT, "  %6.2f%%  %s%n", 100 * p[best], best < labels.size() ? labels.get(best) : "class " + best);
                }
            }
        }
    }

    private void graph(List<String> args) throws UsageException, java.io.IOException {
        if (args.contains("--help")) {
            out.println("""
                    Usage: fovea graph MODEL [--output FILE.svg]
                    Draws the network as SVG: a box per layer with its output shape, branches and merges as arcs.""");
            return;
        }
        Path file = pathFlag(args, "--output", false);
        String name = resolve(zoo(), model(args, "graph"));
        noMoreArguments(args);
        String svg = SvgGraph.render(zoo().info(name));
        if (file == null) {
            out.print(svg);
        } else {
            AtomicFiles.writeString(file, svg);
            out.println(file + ": " + Zoo.simpleName(name) + " drawn");
        }
    }

    private Zoo zoo;

    private Zoo zoo() {
        if (zoo == null) {
            zoo = Zoo.load();
        }
        return zoo;
    }

    private static String model(List<String> args, String command) throws UsageException {
        if (args.isEmpty() || args.getFirst().startsWith("--")) {
            throw new UsageException(command + " needs a MODEL; 'fovea list' shows them");
        }
        return args.removeFirst();
    }

    private Parameters loadWeights(String name, Path weights) {
        Parameters parameters = zoo().newParameters(name, 0);
        parameters.load(SafeTensors.read(weights), weights.toString());
        return parameters;
    }

    private static List<String> imagenetLabels() {
        try (var in = Zoo.class.getResourceAsStream("imagenet_classes.txt")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void softmax(float[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (float x : v) {
            sum += Math.exp(x - max);
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (Math.exp(v[i] - max) / sum);
        }
    }

    /** Removes {@code --flag VALUE} or {@code --flag=VALUE} from args; null when absent. */
    private static String stringFlag(List<String> args, String flag) throws UsageException {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith(flag + "=")) {
                args.remove(i);
                return a.substring(flag.length() + 1);
            }
            if (a.equals(flag)) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(flag + " needs a value");
                }
                String value = args.get(i + 1);
                args.remove(i + 1);
                args.remove(i);
                return value;
            }
        }
        return null;
    }

    /** Removes {@code --flag PATH} from args; a required flag that is missing is a usage mistake. */
    private static Path pathFlag(List<String> args, String flag, boolean required) throws UsageException {
        int at = args.indexOf(flag);
        if (at < 0) {
            if (required) {
                throw new UsageException("missing " + flag + " FILE");
            }
            return null;
        }
        if (at + 1 >= args.size() || args.get(at + 1).startsWith("--")) {
            throw new UsageException(flag + " needs a file");
        }
        Path p = Path.of(args.get(at + 1));
        args.remove(at + 1);
        args.remove(at);
        return p;
    }

    /** Removes {@code --flag N} from args; N must be a whole number in [min, max]. */
    private static int intFlag(List<String> args, String flag, int fallback, int min, int max) throws UsageException {
        int at = args.indexOf(flag);
        if (at < 0) {
            return fallback;
        }
        if (at + 1 >= args.size()) {
            throw new UsageException(flag + " needs a number");
        }
        String value = args.get(at + 1);
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " takes a whole number, not '" + value + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(flag + " must be between " + min + " and " + max + ", not " + n);
        }
        args.remove(at + 1);
        args.remove(at);
        return n;
    }

    static String resolve(Zoo zoo, String typed) throws UsageException {
        return zoo.find(typed).orElseThrow(() -> new UsageException("no model '" + typed + "' in the zoo; closest: "
                + String.join(", ", zoo.closest(typed, 3))));
    }

    private static void noMoreArguments(List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("unexpected argument '" + args.getFirst() + "'");
        }
    }
}
