package dev.fovea.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import com.google.gson.JsonObject;
import com.google.testing.compile.Compilation;
import dev.fovea.processor.RandomNetwork.Case;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The processor's fuzz campaign over random networks: 10,000 of them, some broken on purpose, some with
 * blocks of one or two inputs, each checked against {@link RandomNetwork}'s oracle. A valid network compiles
 * with exactly the oracle's output shape, parameters and MACs, and its generated model compiles; an invalid
 * one fails with a Fovea error in one of its own files; no diagnostic is internal and javac never sees an
 * exception. Networks are compiled in batches, two at a time.
 */
class RandomNetworksTest {
    /** {@code -Dfovea.fuzz.networks=N} runs more (or fewer) networks. */
    private static final int NETWORKS = Integer.getInteger("fovea.fuzz.networks", 10_000);
    private static final int BATCH = 500;
    /** Fixed so that a failure repeats; {@code -Dfovea.seed=N} explores others. */
    private static final long SEED = Long.getLong("fovea.seed", 20261122L);

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyRandomNetworkCompilesWithTheOraclesFiguresOrFailsWithDiagnostics() {
        Random random = new Random(SEED);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < NETWORKS; i++) {
            cases.add(RandomNetwork.generate("Random" + i, random));
        }
        int batches = (cases.size() + BATCH - 1) / BATCH;
        List<int[]> outcomes = IntStream.range(0, batches).parallel()
                .mapToObj(b -> check(cases.subList(b * BATCH, Math.min(cases.size(), (b + 1) * BATCH))))
                .toList();
        int valid = outcomes.stream().mapToInt(o -> o[0]).sum();
        int invalid = outcomes.stream().mapToInt(o -> o[1]).sum();
        assertThat(valid + invalid).isEqualTo(NETWORKS);
        // The generator must exercise both outcomes, and blocks, in earnest.
        assertThat(valid).isAtLeast(NETWORKS / 8);
        assertThat(invalid).isAtLeast(NETWORKS / 4);
        assertThat(cases.stream().filter(c -> c.sources().size() > 1 && c.valid()).count()).isAtLeast(NETWORKS / 50);
    }

    /** Checks one batch; returns {valid, invalid}. */
    private static int[] check(List<Case> cases) {
        Map<String, Case> byFile = new HashMap<>();
        List<JavaFileObject> sources = new ArrayList<>();
        for (Case c : cases) {
            for (JavaFileObject f : c.sources()) {
                byFile.put(f.getName(), c);
                sources.add(f);
            }
        }
        // javac prints 100 errors by default; these networks have more.
        Compilation all = Fovea.compile(sources, "-Xmaxerrs", "100000", "-Xmaxwarns", "100000");
        Set<Case> failed = new HashSet<>();
        for (Diagnostic<? extends JavaFileObject> d : all.diagnostics()) {
            String message = d.getMessage(null);
            assertWithMessage("no internal errors").that(message).doesNotContain("[Fovea/Internal]");
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                assertWithMessage("every error is Fovea's: %s", message).that(message).startsWith("[Fovea/");
                assertThat(d.getSource()).isNotNull();
                failed.add(byFile.get(d.getSource().getName()));
            }
        }
        List<Case> valid = new ArrayList<>();
        for (Case c : cases) {
            assertWithMessage("%s (%s) should %s:\n%s", c.name(), c.why(), c.valid() ? "compile" : "fail", text(c))
                    .that(failed.contains(c)).isEqualTo(!c.valid());
            if (c.valid()) {
                valid.add(c);
            }
        }

        Compilation good = Fovea.compile(valid.stream().flatMap(c -> c.sources().stream()).toList());
        assertThat(good.errors()).isEmpty();
        for (Case c : valid) {
            JsonObject r = Fovea.report(good, "test." + c.name()).orElseThrow();
            assertWithMessage("%s output", c.name()).that(r.getAsJsonArray("output").toString()).isEqualTo(json(c.output()));
            assertWithMessage("%s params", c.name()).that(r.get("params").getAsLong()).isEqualTo(c.params());
            assertWithMessage("%s macs", c.name()).that(r.get("macs").getAsLong()).isEqualTo(c.macs());
        }
        return new int[] {valid.size(), cases.size() - valid.size()};
    }

    private static String text(Case c) {
        StringBuilder sb = new StringBuilder();
        for (JavaFileObject f : c.sources()) {
            try {
                sb.append(f.getCharContent(true));
            } catch (IOException e) {
                sb.append("?");
            }
        }
        return sb.toString();
    }

    private static String json(int[] dims) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : ",").append(dims[i]);
        }
        return sb.append(']').toString();
    }
}
