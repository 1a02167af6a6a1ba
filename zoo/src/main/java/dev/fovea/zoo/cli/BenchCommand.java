package dev.fovea.zoo.cli;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.zoo.Zoo;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "fovea bench", description = {"Times the forward pass with random weights and input: after a warm-up, runs for S seconds "
        + "(default 10) and reports median and 90th-percentile latency, images/s and GFLOP/s. --profile adds the time per layer type "
        + "and the slowest layers (a fused layer's time includes what was fused into it). Defaults: batch 1, threads = available "
        + "processors.", "--train times a training step instead (forward, backward, SGD with momentum, on random labels; batch 16 by "
        + "default); --profile then splits it by layer type into forward and backward, gives the loss and the update, and lists the "
        + "slowest layers forward and backward (the backward pass's GFLOP/s count twice the forward's multiply-adds)."})
final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL")
    String model;

    @Option(names = "--train", description = "time a training step")
    boolean train;

    @Option(names = "--batch", paramLabel = "N", description = "default 1, or 16 with --train")
    Integer batchFlag;

    @Option(names = "--threads", paramLabel = "T")
    int threads = Cli.processors();

    @Option(names = "--seconds", paramLabel = "S")
    int seconds = 10;

    @Option(names = "--json", description = "one JSON object")
    boolean json;

    @Option(names = "--profile", description = "time per layer type, and the slowest layers")
    boolean profile;

    @Option(names = "--layers", paramLabel = "N", description = "how many of the slowest layers --profile lists (default 5), with or without --train")
    int layers = 5;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final Cli cli;

    BenchCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws UsageException {
        int batch = Cli.range("--batch", batchFlag != null ? batchFlag : train ? 16 : 1, 1, 4096);
        Cli.range("--threads", threads, 1, 1024);
        Cli.range("--seconds", seconds, 1, 3600);
        Cli.range("--layers", layers, 1, 100_000);
        Zoo zoo = cli.zoo();
        String name = cli.resolve(model);
        ModelInfo info = zoo.info(name);
        if (train) {
            benchTraining(zoo, name, info, batch, threads, seconds, json, profile);
            return 0;
        }
        try (var session = zoo.session(name, dev.fovea.runtime.weights.Parameters.initializedWhenRead(zoo.tensors(name), 42).forOneSession(), batch,
                threads)) {
            Bench.Result r = Bench.run(Zoo.simpleName(name), info, session, Math.min(5, seconds), seconds);
            cli.out.println(json ? r.json() : r.text());
            if (profile && !json) {
                int runs = Math.max(3, Math.min(50, (int) (2000 / r.medianMs())));
                cli.out.println("By layer type:");
                Map<String, Double> byKind = session.profile(runs);
                // shares of the profiled runs' own total: they are timed apart from the median above
                double total = byKind.values().stream().mapToDouble(Double::doubleValue).sum();
                byKind.forEach((kind, ms) -> cli.out.printf(java.util.Locale.ROOT, "  %-40s %8.2f ms  %5.1f%%%n", kind, ms, 100 * ms / total));
                cli.out.println("Slowest layers:");
                Map<String, Long> layerMacs = new java.util.HashMap<>();
                info.layers().forEach(l -> layerMacs.put(l.name(), l.macs()));
                Map<String, Long> macs = new java.util.HashMap<>(); // a fused step's are its layers'
                session.stepLayers().forEach((step, layers) -> macs.put(step,
                        layers.stream().mapToLong(l -> layerMacs.getOrDefault(l, 0L)).sum()));
                Map<String, String> kernels = session.kernels();
                session.profileSteps(runs).entrySet().stream()
                        .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(layers)
                        .forEach(e -> cli.out.printf(java.util.Locale.ROOT, "  %-22s %8.2f ms  %7.1f GFLOP/s  %s%n", e.getKey(), e.getValue(),
                                2.0 * macs.getOrDefault(e.getKey(), 0L) * session.batch() / (e.getValue() * 1e6),
                                kernels.getOrDefault(e.getKey(), "")));
            }
        }
        return 0;
    }

    /**
     * The slowest layers of a profiled training step, forward and backward, with their GFLOP/s: the backward pass
     * counted as twice the forward's multiply-adds (the weight's gradient and the input's).
     */
    private void slowestLayers(ModelInfo info, dev.fovea.runtime.train.TrainingProfile p, int batch) {
        Map<String, Long> macs = new java.util.HashMap<>();
        info.layers().forEach(l -> macs.put(l.name(), l.macs()));
        cli.out.println("Slowest layers (forward, backward):");
        p.layers().stream().limit(layers).forEach(l -> {
            double flops = 2.0 * macs.getOrDefault(l.name(), 0L) * batch;
            cli.out.printf(java.util.Locale.ROOT, "  %-22s %8.2f ms %s  %8.2f ms %s  %s%n", l.name(), l.forward(), rate(flops, l.forward()),
                    l.backward(), rate(2 * flops, l.backward()), l.kind());
        });
    }

    /** GFLOP/s of {@code flops} in {@code ms}, or blanks as wide for a layer without multiply-adds. */
    private static String rate(double flops, double ms) {
        return flops > 0 && ms > 0 ? String.format(java.util.Locale.ROOT, "%7.1f GFLOP/s", flops / (ms * 1e6)) : " ".repeat(15);
    }

    private void benchTraining(Zoo zoo, String name, ModelInfo info, int batch, int threads, int seconds, boolean json, boolean profile) {
        try (var session = zoo.trainingSession(name, zoo.newParameters(name, 42), batch, threads)) {
            Bench.Result r = Bench.train(Zoo.simpleName(name), info, session, Math.min(5, seconds), seconds);
            cli.out.println(json ? r.json() : r.text());
            if (profile && !json) {
                int steps = Math.max(3, Math.min(20, (int) (4000 / r.medianMs())));
                Bench.Batch data = Bench.Batch.random(session, info);
                var p = session.profile(data.images(), data.labels(), Bench.sgd(session), steps);
                double total = p.total();
                cli.out.printf(java.util.Locale.ROOT, "Forward %.2f ms (%.1f%%), backward %.2f ms (%.1f%%), zeroing gradients %.2f ms, loss %.2f ms, "
                        + "update %.2f ms%n", p.forwardTotal(), 100 * p.forwardTotal() / total, p.backwardTotal(),
                        100 * p.backwardTotal() / total, p.zeroing(), p.loss(), p.update());
                if (p.parts() > 1) {
                    int sideBySide = Math.min(p.parts(), threads);
                    cli.out.printf(java.util.Locale.ROOT, "The batch ran as %d parts, each on one thread; summing their gradients took %.2f ms.%s%n",
                            p.parts(), p.partsSum(), sideBySide == 1 ? "" : " Layer times are the parts' time divided by the " + sideBySide + " threads.");
                }
                cli.out.println("Forward by layer type:");
                p.forward().forEach((kind, ms) -> cli.out.printf(java.util.Locale.ROOT, "  %-30s %8.2f ms  %5.1f%%%n", kind, ms, 100 * ms / total));
                cli.out.println("Backward by layer type:");
                p.backward().forEach((kind, ms) -> cli.out.printf(java.util.Locale.ROOT, "  %-30s %8.2f ms  %5.1f%%%n", kind, ms, 100 * ms / total));
                slowestLayers(info, p, session.batch());
            }
        }
    }
}
