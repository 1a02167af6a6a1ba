package dev.fovea.zoo.cli;

import dev.fovea.zoo.Zoo;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

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
              export MODEL [--weights W] --output M.onnx
                                     the network and its weights as an ONNX model, for other runtimes
              import M.onnx --package P --name N --output-dir DIR [--weights W] [--input C,H,W]
                                     an ONNX model as an annotated network (Java source) and its weights
              derive MODEL --package P --name N --output-dir DIR [--classes K] [--freeze-up-to M] ...
                                     a network derived from MODEL (Java source) for fine-tuning: a new head, frozen layers
              visualize MODEL IMAGE --layer NAME [--weights W] [--top K] [--output-dir DIR]
                                     the deconvnet: strongest activations projected to pixels, feature maps, filters
              completion             a bash completion script: source <(./fovea completion)
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
            List<String> args = new ArrayList<>(Arrays.asList(arguments));
            String classpath = stringFlag(args, "--classpath");
            if (classpath != null) {
                zoo = UserNetworks.zoo(classpath);
            }
            if (args.isEmpty()) {
                throw new UsageException("missing command; try 'fovea help'");
            }
            String command = args.getFirst();
            if (List.of("help", "--help", "-h").contains(command)) {
                out.print(USAGE);
                return 0;
            }
            Cli cli = new Cli(out, this::zoo);
            Map<String, Callable<Integer>> commands = commands(cli);
            if (command.equals("completion")) {
                out.print(picocli.AutoComplete.bash("fovea", commandLine(commands)));
                return 0;
            }
            Callable<Integer> chosen = commands.get(command);
            if (chosen == null) {
                throw new UsageException("unknown command '" + command + "'; commands: " + String.join(", ", commands.keySet())
                        + ", completion, help");
            }
            return Picocli.run(chosen, args.subList(1, args.size()), out);
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


    /** Every command, by name, in the order help lists them. */
    private static Map<String, Callable<Integer>> commands(Cli cli) {
        Map<String, Callable<Integer>> commands = new LinkedHashMap<>();
        commands.put("list", new ListCommand(cli));
        commands.put("summary", new SummaryCommand(cli));
        commands.put("bench", new BenchCommand(cli));
        commands.put("infer", new InferCommand(cli));
        commands.put("predict", new PredictCommand(cli));
        commands.put("grad", new GradCommand(cli));
        commands.put("train", new TrainCommand(cli));
        commands.put("eval", new EvalCommand(cli));
        commands.put("graph", new GraphCommand(cli));
        commands.put("export", new ExportCommand(cli));
        commands.put("import", new ImportCommand(cli));
        commands.put("derive", new DeriveCommand(cli));
        commands.put("visualize", new VisualizeCommand(cli));
        return commands;
    }

    /** The commands as one picocli tree, for the completion script. */
    private static picocli.CommandLine commandLine(Map<String, Callable<Integer>> commands) {
        picocli.CommandLine root = new picocli.CommandLine(picocli.CommandLine.Model.CommandSpec.create().name("fovea"));
        commands.forEach(root::addSubcommand);
        return root;
    }

    private Zoo zoo;

    private Zoo zoo() {
        if (zoo == null) {
            zoo = Zoo.load();
        }
        return zoo;
    }

    static String resolve(Zoo zoo, String typed) throws UsageException {
        return zoo.find(typed).orElseThrow(() -> new UsageException("no model '" + typed + "' in the zoo; closest: "
                + String.join(", ", zoo.closest(typed, 3))));
    }

    static List<String> imagenetLabels() {
        try (var in = Zoo.class.getResourceAsStream("imagenet_classes.txt")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void softmax(float[] v) {
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
}
