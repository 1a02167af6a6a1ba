package dev.fovea.zoo.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The arguments of the commands that run a model's weights on a tensor file into another: infer and grad. */
final class TensorFiles {
    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Option(names = "--weights", paramLabel = "W.safetensors", required = true)
    Path weights;

    @Option(names = "--input", paramLabel = "X.safetensors", required = true)
    Path input;

    @Option(names = "--output", paramLabel = "Y.safetensors", required = true)
    Path output;

    @Option(names = "--threads", paramLabel = "T")
    int threads = Cli.processors();
}
