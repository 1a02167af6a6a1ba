package dev.fovea.zoo.cli;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.data.DataSources;
import dev.fovea.runtime.data.Dataset;
import dev.fovea.runtime.data.Loader;
import dev.fovea.runtime.data.Transform;
import dev.fovea.runtime.fit.Evaluation;
import dev.fovea.runtime.fit.Trainer;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.SafeTensors;
import dev.fovea.zoo.Zoo;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code fovea eval}: a trained model's loss, top-1, top-5 and confusion matrix on a data set's test split. */
@Command(name = "fovea eval", sortOptions = false, usageHelpWidth = 110,
        description = {"Evaluates MODEL with the weights in FILE on the test split of a data set (Fashion-MNIST by default): mean "
                + "loss, top-1, top-5 and the confusion matrix. Inputs are normalised as the weights were trained (fovea train "
                + "records it in the file), or as --normalize says."})
final class EvalCommand implements Callable<Integer> {
    @CommandLine.Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Option(names = "--weights", paramLabel = "FILE", required = true, description = "safetensors weights")
    Path weights;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--split", paramLabel = "SPLIT", description = "test (default) or train")
    String split = "test";

    @Option(names = "--normalize", paramLabel = "SPEC", description = "none, imagenet or MEANS/STDS; default: the weights' own")
    String normalize;

    @Option(names = "--batch", paramLabel = "B", description = "default 100")
    int batch = 100;

    @Option(names = "--threads", paramLabel = "T")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final Cli cli;
    private Zoo zoo;
    private PrintStream out;

    EvalCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws Exception {
        zoo = cli.zoo();
        out = cli.out;
        if (batch < 1 || threads < 1) {
            throw new UsageException("--batch and --threads must be at least 1");
        }
        String name = Main.resolve(zoo, model);
        ModelInfo info = zoo.info(name);
        DataSources.Splits splits = data.open(info.input());
        Dataset set = switch (split) {
            case "test" -> splits.test();
            case "train" -> splits.train();
            default -> throw new UsageException("--split takes test or train, not '" + split + "'");
        };
        if (set == null) {
            throw new UsageException("--data " + data.spec + " has no test split; use --split train");
        }
        Transform.Normalize norm = normalization();
        Parameters parameters = zoo.newParameters(name, 0);
        parameters.load(SafeTensors.read(weights), weights.toString());
        int classes = Math.toIntExact(info.output().elements());
        if (set.classes().size() > classes) {
            throw new UsageException(set.name() + " has " + set.classes().size() + " classes; " + Zoo.simpleName(name) + " gives " + classes);
        }
        Evaluation e;
        try (TrainingSession session = zoo.trainingSession(name, parameters, batch, threads)) {
            session.loss(TrainCommand.lossOf(zoo, name, 0));
            e = Trainer.evaluate(session, new Loader(set, Pipelines.evaluation(set.sampleShape(), info.input(), norm), batch, false, false, 0));
        }
        out.printf(Locale.ROOT, "%s on %s (%,d samples): loss %.4f  top-1 %.2f%%  top-5 %.2f%%%n", Zoo.simpleName(name), set.name(), e.count(),
                e.loss(), 100 * e.top1(), 100 * e.top5());
        printConfusion(e.confusion(), set.classes());
        return 0;
    }

    private Transform.Normalize normalization() throws UsageException {
        String spec = normalize != null ? normalize : SafeTensors.metadata(weights).getOrDefault("normalize", "none");
        return switch (spec.toLowerCase(Locale.ROOT)) {
            case "none" -> null;
            case "imagenet" -> Pipelines.parse(Pipelines.IMAGENET);
            default -> Pipelines.parse(spec);
        };
    }

    /** Rows are true classes, columns predictions; each row ends with the class's top-1. */
    private void printConfusion(long[][] m, List<String> names) {
        int n = names.size();
        out.println("Confusion matrix (rows: true class, columns: predicted):");
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-16s", ""));
        for (int c = 0; c < n; c++) {
            head.append(String.format(Locale.ROOT, "%6d", c));
        }
        out.println(head.append("   top-1"));
        for (int r = 0; r < n; r++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%2d %-13.13s", r, names.get(r)));
            long total = 0;
            for (int c = 0; c < n; c++) {
                row.append(String.format(Locale.ROOT, "%6d", m[r][c]));
                total += m[r][c];
            }
            row.append(String.format(Locale.ROOT, "  %5.1f%%", total == 0 ? 0 : 100.0 * m[r][r] / total));
            out.println(row);
        }
    }
}
