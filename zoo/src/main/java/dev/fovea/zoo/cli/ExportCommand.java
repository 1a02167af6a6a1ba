package dev.fovea.zoo.cli;

import dev.fovea.onnx.OnnxExport;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.zoo.Zoo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fovea export", description = {"Writes the network and its weights as an ONNX model (opset " + OnnxExport.OPSET
        + ", the batch dynamic) for other runtimes: the input is \"input\", every node is named after its layer and every "
        + "initializer after its tensor; batch norm runs on its running statistics, dropout passes everything."})
final class ExportCommand implements Callable<Integer> {
    @picocli.CommandLine.Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Option(names = "--weights", paramLabel = "W.safetensors", description = "the weights to export; without it, freshly initialised ones (seed 0)")
    Path weights;

    @Option(names = "--output", paramLabel = "M.onnx", required = true, description = "the file to write, whole or not at all")
    Path output;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final Cli cli;

    ExportCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws UsageException, IOException {
        String name = cli.resolve(model);
        Parameters parameters = weights == null ? cli.zoo().newParameters(name, 0) : cli.loadWeights(name, weights);
        String source = weights == null ? "initialised, seed 0" : weights.getFileName().toString();
        try {
            OnnxExport.write(cli.zoo().graph(name), parameters, new OnnxExport.Provenance(name, source), output);
        } catch (UnsupportedOperationException e) {
            throw new UnsupportedOperationException(Zoo.simpleName(name) + " cannot be exported to ONNX: " + e.getMessage(), e);
        }
        cli.out.printf(Locale.ROOT, "%s: %s as ONNX (opset %d), %.1f MB%n", output, Zoo.simpleName(name), OnnxExport.OPSET,
                Files.size(output) / 1e6);
        return 0;
    }
}
