package dev.fovea.zoo.cli;

import dev.fovea.onnx.importer.OnnxImport;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fovea import", description = {"Writes an ONNX model as an annotated Fovea network (Java source, with a block for each "
        + "structure the graph repeats) and its weights, under the names that source gives them. Compile the source with Fovea's "
        + "processor for the checks and figures of any network; @Expect holds it to the file's parameter count. Every operator the DSL "
        + "cannot express is named in one error."})
final class ImportCommand implements Callable<Integer> {
    @picocli.CommandLine.Parameters(index = "0", paramLabel = "M.onnx")
    Path onnx;

    @Option(names = "--package", paramLabel = "P", required = true, description = "the Java package of the written source")
    String pkg;

    @Option(names = "--name", paramLabel = "N", required = true, description = "the network's Java name")
    String name;

    @Option(names = "--output-dir", paramLabel = "DIR", required = true, description = "the source root to write into (DIR/P/N.java)")
    Path outputDir;

    @Option(names = "--weights", paramLabel = "W.safetensors", description = "where the weights go (default DIR/N.safetensors)")
    Path weights;

    @Option(names = "--input", paramLabel = "C,H,W", split = ",", description = "one sample's shape, when the file leaves it open")
    int[] input;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final Cli cli;

    ImportCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws UsageException {
        if (input != null && (input.length != 3 && input.length != 1 || Arrays.stream(input).anyMatch(d -> d <= 0))) {
            throw new UsageException("--input takes one sample's shape, channels,height,width (like 3,224,224) or features");
        }
        OnnxImport.ImportedNetwork network = OnnxImport.read(onnx, pkg, name, input); // an ImportException is one line for the user
        Path weightsFile = weights != null ? weights : outputDir.resolve(name + ".safetensors");
        List<Path> written = network.write(outputDir, weightsFile);
        cli.out.printf(Locale.ROOT, "%s: %d operators as %s, %d members%s; %,d parameters in %d tensors%n", onnx.getFileName(),
                network.operators(), network.qualifiedName(), network.members(), network.blocks().isEmpty() ? ""
                        : ", blocks " + String.join(", ", network.blocks()), network.parameters(), network.weights().size());
        written.forEach(p -> cli.out.println("wrote " + p));
        return 0;
    }
}
