package dev.fovea.zoo.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * Runs a picocli command the way every fovea command behaves: a usage mistake is one line and exit code
 * 2; {@code --help} prints the generated help; failures while working reach {@link Main}'s handler.
 * Returns the command's exit code.
 */
final class Picocli {
    private Picocli() {}

    static int run(Callable<Integer> command, List<String> args, PrintStream out) throws UsageException, java.io.IOException {
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
            return 0;
        }
        try {
            return command.call();
        } catch (UsageException | java.io.IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
