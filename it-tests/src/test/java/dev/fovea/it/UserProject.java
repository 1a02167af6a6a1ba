package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.ToolProvider;

/**
 * A user's project outside the repository: its sources written under {@code dir/src}, compiled by javac
 * with Fovea's processor against the test's class path (which holds the zoo's jar or classes) into
 * {@code dir/target/classes}, as Maven would.
 */
final class UserProject {
    private UserProject() {}

    /** Compiles {@code sources} (file path under src, e.g. "demo/Tiny.java", to its text); fails the test on any error. */
    static Path compile(Path dir, Map<String, String> sources) throws IOException {
        List<String> args = new ArrayList<>();
        String path = System.getProperty("java.class.path");
        Path classes = Files.createDirectories(dir.resolve("target/classes"));
        args.addAll(List.of("--add-modules", "jdk.incubator.vector", "-Xlint:-incubating", "-classpath", path, "-processorpath", path,
                "-d", classes.toString()));
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Path file = dir.resolve("src").resolve(s.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, s.getValue());
            args.add(file.toString());
        }
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, messages, args.toArray(String[]::new));
        assertEquals(0, status, messages.toString());
        return classes;
    }
}
