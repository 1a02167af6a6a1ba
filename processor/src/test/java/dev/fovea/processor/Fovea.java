package dev.fovea.processor;

import static com.google.common.truth.Truth.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;

/** Compiles test sources with the Fovea processor and reads back what it wrote. */
final class Fovea {
    static final String IMPORTS = """
            package test;
            import dev.fovea.annotations.*;
            import static dev.fovea.annotations.Padding.*;
            """;

    private Fovea() {}

    /** A source file {@code test.<name>} with the DSL imported; {@code body} is the rest of the file. */
    static JavaFileObject source(String name, String body) {
        return JavaFileObjects.forSourceString("test." + name, IMPORTS + body);
    }

    static Compilation compile(JavaFileObject... sources) {
        return Compiler.javac().withProcessors(new FoveaProcessor()).compile(sources);
    }

    static Compilation compile(Iterable<JavaFileObject> sources, String... options) {
        return Compiler.javac().withProcessors(new FoveaProcessor()).withOptions((Object[]) options).compile(sources);
    }

    /** Compiles with {@code jar} (a folder of classes and resources, as another project's jar holds them) on the class path. */
    static Compilation compileAgainst(Path jar, JavaFileObject... sources) {
        List<File> classpath = new ArrayList<>();
        classpath.add(jar.toFile());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            classpath.add(new File(entry));
        }
        return Compiler.javac().withProcessors(new FoveaProcessor()).withClasspath(classpath).compile(sources);
    }

    /** Writes what a compilation put in its class output (classes and resources) under {@code dir}, as a jar would hold them. */
    static Path writeClassOutput(Compilation c, Path dir) {
        try {
            for (JavaFileObject f : c.generatedFiles()) {
                String name = f.toUri().getPath();
                if (!name.startsWith("/CLASS_OUTPUT/")) {
                    continue;
                }
                Path target = dir.resolve(name.substring("/CLASS_OUTPUT/".length()));
                Files.createDirectories(target.getParent());
                try (InputStream in = f.openInputStream()) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compiles, expects success, and returns the report of {@code test.<network>}. */
    static JsonObject report(String network, JavaFileObject... sources) {
        Compilation c = compile(sources);
        assertThat(c.errors()).isEmpty();
        return report(c, "test." + network).orElseThrow(() -> new AssertionError("no report for " + network));
    }

    static Optional<JsonObject> report(Compilation c, String qualifiedName) {
        return c.generatedFile(StandardLocation.CLASS_OUTPUT, "META-INF/fovea/" + qualifiedName + ".json")
                .map(f -> {
                    try {
                        return JsonParser.parseString(f.getCharContent(true).toString()).getAsJsonObject();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    /** The layer named {@code name} in a report. */
    static JsonObject layer(JsonObject report, String name) {
        for (var l : report.getAsJsonArray("layers")) {
            if (l.getAsJsonObject().get("name").getAsString().equals(name)) {
                return l.getAsJsonObject();
            }
        }
        throw new AssertionError("no layer " + name + " in " + report.get("name"));
    }

    static String shape(JsonObject layer) {
        StringBuilder sb = new StringBuilder();
        for (var d : layer.getAsJsonArray("output")) {
            sb.append(sb.isEmpty() ? "" : "x").append(d.getAsInt());
        }
        return sb.toString();
    }
}
