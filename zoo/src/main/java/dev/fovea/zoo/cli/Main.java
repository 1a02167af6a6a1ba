package dev.fovea.zoo.cli;

import dev.fovea.runtime.ModelInfo;
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

            Commands:
              list                   the networks of the zoo, with input, parameters and MACs
              summary MODEL [--json] the compile-time report of one network: every layer's shape and costs
              bench MODEL [--batch N] [--threads T] [--seconds S] [--json] [--profile]
                                     latency percentiles, images/s and GFLOP/s of the forward pass
              help                   this text

            MODEL is a zoo network's name in any case, or torchvision's name for it (vgg16, resnet50).
            """;

    private final PrintStream out;
    private final PrintStream err;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new Main(System.out, System.err).run(args));
    }

    int run(String[] args) {
        try {
            if (args.length == 0) {
                throw new UsageException("missing command; try 'fovea help'");
            }
            List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
            switch (args[0]) {
                case "list" -> list(rest);
                case "summary" -> summary(rest);
                case "bench" -> bench(rest);
                case "help", "--help", "-h" -> out.print(USAGE);
                default -> throw new UsageException("unknown command '" + args[0] + "'; commands: list, summary, bench, help");
            }
            return 0;
        } catch (UsageException e) {
            err.println("fovea: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("fovea: " + e.getMessage());
            return 1;
        }
    }

    private void list(List<String> args) throws UsageException {
        if (args.contains("--help")) {
            out.println("Usage: fovea list\nLists the zoo's networks with their input shape, parameters and MACs.");
            return;
        }
        noMoreArguments(args);
        Zoo zoo = Zoo.load();
        out.printf(Locale.ROOT, "%-24s %-12s %15s %10s%n", "Model", "Input", "Params", "GMACs");
        for (String name : zoo.networks()) {
            ModelInfo info = zoo.info(name);
            out.printf(Locale.ROOT, "%-24s %-12s %,15d %10.3f%n", Zoo.simpleName(name), info.input(), info.params(), info.macs() / 1e9);
        }
    }

    private void summary(List<String> args) throws UsageException {
        if (args.contains("--help")) {
            out.println("Usage: fovea summary MODEL [--json]\nPrints the layer table the compiler computed, or with --json its report.");
            return;
        }
        boolean json = args.remove("--json");
        if (args.isEmpty()) {
            throw new UsageException("summary needs a MODEL; 'fovea list' shows them");
        }
        String model = args.removeFirst();
        noMoreArguments(args);
        Zoo zoo = Zoo.load();
        String name = resolve(zoo, model);
        out.print(json ? zoo.report(name) : zoo.info(name).summary());
    }

    private void bench(List<String> args) throws UsageException {
        if (args.contains("--help")) {
            out.println("""
                    Usage: fovea bench MODEL [--batch N] [--threads T] [--seconds S] [--json] [--profile]
                    Times the forward pass with random weights and input: after a warm-up, runs for S seconds
                    (default 10) and reports median and 90th-percentile latency, images/s and GFLOP/s.
                    --profile adds the time per layer type. Defaults: batch 1, threads = available processors.""");
            return;
        }
        boolean json = args.remove("--json");
        boolean profile = args.remove("--profile");
        int batch = intFlag(args, "--batch", 1, 1, 4096);
        int threads = intFlag(args, "--threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        int seconds = intFlag(args, "--seconds", 10, 1, 3600);
        if (args.isEmpty()) {
            throw new UsageException("bench needs a MODEL; 'fovea list' shows them");
        }
        String model = args.removeFirst();
        noMoreArguments(args);
        Zoo zoo = Zoo.load();
        String name = resolve(zoo, model);
        ModelInfo info = zoo.info(name);
        try (var session = zoo.session(name, zoo.newParameters(name, 42), batch, threads)) {
            Bench.Result r = Bench.run(Zoo.simpleName(name), info, session, Math.min(5, seconds), seconds);
            out.println(json ? r.json() : r.text());
            if (profile && !json) {
                int runs = Math.max(3, Math.min(50, (int) (2000 / r.medianMs())));
                session.profile(runs).forEach((kind, ms) -> out.printf(java.util.Locale.ROOT, "  %-22s %8.2f ms  %5.1f%%%n", kind, ms,
                        100 * ms / r.medianMs()));
            }
        }
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
