package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor's fuzz campaign over the zoo's own sources: each mutant is one network or block of the zoo
 * with one mistake of the kind users make ({@link SourceMutator}), renamed so that many compile in one
 * batch, together with the blocks it needs and, for a block, the files that lead from it to a network.
 * Every mutant either compiles, with a report whose parameter count is the sum of its weight tensors'
 * sizes, or fails with Fovea's own errors in its own files: no internal error, no exception in javac.
 * {@code @Expect} is dropped from every mutant, so that a changed value is judged by the checks, not by the
 * figure it no longer meets.
 */
class ZooMutantsTest {
    /** {@code -Dfovea.fuzz.mutants=N} runs more (or fewer). */
    private static final int MUTANTS = Integer.getInteger("fovea.fuzz.mutants", 2_000);
    private static final int BATCH = 100;
    private static final long SEED = Long.getLong("fovea.seed", 20261204L);
    private static final Path ZOO = Path.of(System.getProperty("fovea.zoo.sources", "../zoo/src/main/java/dev/fovea/zoo"));
    private static final Pattern EXPECT = Pattern.compile("(?m)^@Expect\\(.*\\)\\s*$");

    @TempDir
    Path dir;

    /** One mutant: its files by type name (the mutated one first) and what was changed. */
    private record Mutant(String network, Map<String, String> files, String what) {}

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyMutantOfTheZooCompilesOrFailsWithFoveasDiagnostics() throws IOException {
        Map<String, String> sources = zooSources();
        Map<String, String> blocks = new LinkedHashMap<>();
        List<String> networks = new ArrayList<>();
        sources.forEach((name, text) -> {
            if (text.contains("\n@Block")) {
                blocks.put(name, text);
            } else if (text.contains("\n@Network")) {
                networks.add(name);
            }
        });
        assertTrue(networks.size() >= 60 && blocks.size() >= 40, "the zoo's sources are at " + ZOO.toAbsolutePath());

        Random random = new Random(SEED);
        SourceMutator mutator = new SourceMutator(random);
        List<String> all = new ArrayList<>(sources.keySet().stream().filter(n -> blocks.containsKey(n) || networks.contains(n)).toList());
        List<Mutant> mutants = new ArrayList<>();
        for (int i = 0; i < MUTANTS; i++) {
            String target = all.get(random.nextInt(all.size()));
            mutants.add(mutant(i, target, sources, blocks, mutator));
        }
        int batches = (MUTANTS + BATCH - 1) / BATCH;
        int compiled = IntStream.range(0, batches).parallel()
                .map(b -> check(mutants.subList(b * BATCH, Math.min(MUTANTS, (b + 1) * BATCH)), blocks, dir.resolve("batch" + b)))
                .sum();
        // Mutations must both break networks and leave some compiling.
        assertTrue(compiled >= MUTANTS / 10 && compiled <= MUTANTS * 9 / 10, compiled + " of " + MUTANTS + " mutants compiled");
    }

    private static Map<String, String> zooSources() throws IOException {
        Map<String, String> sources = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(ZOO)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                sources.put(f.getFileName().toString().replace(".java", ""), Files.readString(f));
            }
        }
        return sources;
    }

    /**
     * Mutates {@code target}, renames it {@code <target>M<i>}, and, for a block, renames the files on a path
     * of uses from it to a network, so that the mutant reaches a network of its own.
     */
    private static Mutant mutant(int i, String target, Map<String, String> sources, Map<String, String> blocks, SourceMutator mutator) {
        List<String> chain = chainToNetwork(target, sources, blocks);
        Map<String, String> renamed = new LinkedHashMap<>();
        for (String name : chain) {
            renamed.put(name, name + "M" + i);
        }
        Map<String, String> files = new LinkedHashMap<>();
        String what = "";
        for (String name : chain) {
            String text = EXPECT.matcher(sources.get(name)).replaceAll("");
            if (name.equals(target)) {
                SourceMutator.Mutant m = mutator.mutate(text);
                text = m.source();
                what = m.what();
            }
            for (Map.Entry<String, String> r : renamed.entrySet()) {
                text = text.replaceAll("\\b" + r.getKey() + "\\b", r.getValue());
            }
            files.put(renamed.get(name), text);
        }
        return new Mutant(renamed.get(chain.getLast()), files, what);
    }

    /** {@code target}, then each file that uses the one before, ending at a network (breadth first: the shortest path). */
    private static List<String> chainToNetwork(String target, Map<String, String> sources, Map<String, String> blocks) {
        Map<String, String> usedBy = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(target));
        Set<String> seen = new HashSet<>(queue);
        while (!queue.isEmpty()) {
            String current = queue.poll();
            if (!blocks.containsKey(current)) {
                List<String> chain = new ArrayList<>();
                for (String n = current; n != null; n = usedBy.get(n)) {
                    chain.addFirst(n);
                }
                return chain;
            }
            Pattern use = Pattern.compile("@" + current + "\\b");
            for (Map.Entry<String, String> e : sources.entrySet()) {
                if (!seen.contains(e.getKey()) && use.matcher(e.getValue()).find()) {
                    seen.add(e.getKey());
                    usedBy.put(e.getKey(), current);
                    queue.add(e.getKey());
                }
            }
        }
        throw new AssertionError(target + " is used by no network of the zoo");
    }

    /** Compiles one batch with the zoo's blocks; returns how many of its mutants compiled. */
    private static int check(List<Mutant> mutants, Map<String, String> blocks, Path out) {
        List<JavaFileObject> files = new ArrayList<>();
        Map<String, Mutant> byFile = new HashMap<>();
        blocks.forEach((name, text) -> files.add(source(name, text)));
        for (Mutant m : mutants) {
            m.files().forEach((name, text) -> {
                files.add(source(name, text));
                byFile.put(name, m);
            });
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String path = System.getProperty("java.class.path");
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // -proc:only: the processor checks, reports and generates; the generated models are compiled by the zoo's own build
        List<String> options = List.of("-proc:only", "-classpath", path, "-processorpath", path, "-d", out.toString(), "-s", out.toString(),
                "--add-modules", "jdk.incubator.vector", "-Xlint:-incubating", "-Xmaxerrs", "100000", "-Xmaxwarns", "100000");
        javac.getTask(null, null, diagnostics, options, null, files).call();

        Set<Mutant> failed = new HashSet<>();
        Set<String> mutantErrors = new HashSet<>();
        List<String> sharedErrors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            String message = d.getMessage(null);
            Mutant m = d.getSource() == null ? null : byFile.get(name(d.getSource()));
            assertFalse(message.contains("[Fovea/Internal]"), () -> describe(m) + message);
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                assertTrue(message.startsWith("[Fovea/"), () -> "not Fovea's error: " + describe(m) + message);
                if (m == null) {
                    sharedErrors.add(message);
                } else {
                    failed.add(m);
                    mutantErrors.add(message);
                }
            }
        }
        // An error inside an unchanged block is printed at the block's layer and again at each use that leads to it.
        for (String message : sharedErrors) {
            assertTrue(mutantErrors.contains(message), () -> "an error no mutant's file shows: " + message);
        }
        int compiled = 0;
        for (Mutant m : mutants) {
            if (!failed.contains(m)) {
                compiled++;
                checkReport(m, out.resolve("META-INF/fovea/dev.fovea.zoo." + m.network() + ".json"));
            }
        }
        return compiled;
    }

    /** The parameter and buffer counts agree with the tensors the report lists. */
    private static void checkReport(Mutant m, Path report) {
        JsonObject r;
        try {
            r = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        } catch (IOException e) {
            throw new AssertionError(describe(m) + "compiled without a report", e);
        }
        long params = 0;
        long buffers = 0;
        for (JsonElement layer : r.getAsJsonArray("layers")) {
            for (JsonElement tensor : layer.getAsJsonObject().getAsJsonArray("tensors")) {
                JsonObject t = tensor.getAsJsonObject();
                long n = 1;
                for (JsonElement d : t.getAsJsonArray("shape")) {
                    n *= d.getAsLong();
                }
                if (t.has("buffer") && t.get("buffer").getAsBoolean()) {
                    buffers += n;
                } else {
                    params += n;
                }
            }
        }
        assertEquals(r.get("params").getAsLong(), params, describe(m) + "parameters against the tensors");
        assertEquals(r.get("bufferValues").getAsLong(), buffers, describe(m) + "buffers against the tensors");
    }

    private static String describe(Mutant m) {
        return m == null ? "" : m.network() + " (" + m.what() + "): ";
    }

    private static String name(JavaFileObject f) {
        String path = f.toUri().getPath();
        return path.substring(path.lastIndexOf('/') + 1).replace(".java", "");
    }

    private static JavaFileObject source(String name, String text) {
        return new SimpleJavaFileObject(URI.create("string:///dev/fovea/zoo/" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return text;
            }
        };
    }
}
