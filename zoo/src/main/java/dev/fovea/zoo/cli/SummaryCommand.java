package dev.fovea.zoo.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "fovea summary", description = {"Prints the layer table the compiler computed, or with --json its report. --batch N adds the "
        + "memory a training session of N samples holds."})
final class SummaryCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "a network's name, in any case")
    String model;

    @Option(names = "--json", description = "the compile-time report as JSON")
    boolean json;

    @Option(names = "--batch", paramLabel = "N", description = "add the memory of a training session of N samples")
    int batch;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final Cli cli;

    SummaryCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws UsageException {
        if (batch != 0) {
            Cli.range("--batch", batch, 1, 1 << 20);
        }
        String name = cli.resolve(model);
        cli.out.print(json ? cli.zoo().report(name) : cli.zoo().info(name).summary(batch));
        return 0;
    }
}
