package dev.fovea.zoo.cli;

import dev.fovea.runtime.io.AtomicFiles;
import dev.fovea.zoo.Zoo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "fovea graph", description = "Draws the network as SVG: a box per layer with its output shape, branches and merges as arcs.")
final class GraphCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL")
    String model;

    @Option(names = "--output", paramLabel = "FILE.svg", description = "the file to write; standard output without it")
    Path file;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final Cli cli;

    GraphCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws UsageException, IOException {
        String name = cli.resolve(model);
        String svg = SvgGraph.render(cli.zoo().info(name));
        if (file == null) {
            cli.out.print(svg);
        } else {
            AtomicFiles.writeString(file, svg);
            cli.out.println(file + ": " + Zoo.simpleName(name) + " drawn");
        }
        return 0;
    }
}
