package dev.fovea.zoo.cli;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.zoo.Zoo;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fovea list", description = "Lists the zoo's networks (and those of --classpath) with their input shape, parameters and MACs.")
final class ListCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    private final Cli cli;

    ListCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Zoo zoo = cli.zoo();
        cli.out.printf(Locale.ROOT, "%-24s %-12s %15s %10s%n", "Model", "Input", "Params", "GMACs");
        for (String name : zoo.networks()) {
            ModelInfo info = zoo.info(name);
            cli.out.printf(Locale.ROOT, "%-24s %-12s %,15d %10.3f%n", Zoo.simpleName(name), info.input(), info.params(), info.macs() / 1e9);
        }
        return 0;
    }
}
