package dev.fovea.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the fixture scripts of it-tests/scripts with Debian's Python, whose python3-torch and python3-torchvision are the reference. */
final class PyTorchScripts {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private PyTorchScripts() {}

    /** Whether Debian's PyTorch and torchvision are installed. */
    static boolean installed() throws IOException, InterruptedException {
        return Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c", "import torch, torchvision"), 1);
    }

    /** Runs {@code scripts/<script>} with {@code args}; true if it ends well within {@code minutes}. */
    static boolean run(String script, List<String> args, int minutes) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), Path.of("scripts", script).toString()));
        command.addAll(args);
        return run(command, minutes);
    }

    private static boolean run(List<String> command, int minutes) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }
}
