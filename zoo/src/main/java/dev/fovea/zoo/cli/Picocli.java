package dev.fovea.zoo.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * Runs a picocli command the way every fovea command behaves: a usage mistake is one line and exit code
 * 2; {@code --help} prints the generated help; failures while working reach {@link Main}'s handler.
 */
final class Picocli {
    private Picocli() {}

    static void run(Callable<?> command, List<String> args, PrintStream out) throws UsageException, java.io.IOException {
        CommandLine line = new CommandLine(command);
        line.setCaseInsensitiveEnumValuesAllowed(true);
        line.setOut(new PrintWriter(out, true));
        CommandLine.ParseResult parsed;
        try {
            parsed = line.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage().replace("\n", " ").strip());
        }
        if (CommandLine.printHelpIfRequested(parsed)) {
            return;
        }
        try {
            command.call();
        } catch (UsageException | java.io.IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
