package dev.fovea.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.fovea.processor.Fovea.compile;
import static dev.fovea.processor.Fovea.layer;
import static dev.fovea.processor.Fovea.report;
import static dev.fovea.processor.Fovea.source;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.testing.compile.Compilation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code @Derive}: networks derived from others for transfer learning, and the mistakes a derivation can hold. */
class DeriveTest {
    /** conv1 3x3 8 (216 + 8) + bn (16), conv2 3x3 16 (1,152 + 16), flatten 16x8x8, fc 10 (10,240 + 10). */
    static final JavaFileObject BASE = source("Base", """
            @Network(input = {3, 8, 8})
            interface Base {
                @Conv2d(filters = 8, kernel = 3, padding = 1) @BatchNorm(name = "bn1") @ReLU Layer conv1();
                @Conv2d(filters = 16, kernel = 3, padding = 1) @ReLU Layer conv2();
                @Flatten Layer flatten();
                @Dense(units = 10) Layer fc();
            }
            """);

    @Test
    void aNewHeadReplacesTheBaseOnesInPlaceAndTheBodyFreezesUpToAStage() {
        JavaFileObject derived = source("FiveWay", """
                @Derive(base = Base.class, freezeUpTo = "conv2")
                interface FiveWay {
                    @Dense(units = 5) Layer fc();
                    @Softmax Layer probabilities();
                }
                """);
        JsonObject r = report("FiveWay", BASE, derived);
        assertThat(r.get("base").getAsString()).isEqualTo("test.Base");
        assertThat(r.get("params").getAsLong()).isEqualTo(216 + 8 + 16 + 1_152 + 16 + 1_024 * 5 + 5);
        assertThat(r.get("trainableParams").getAsLong()).isEqualTo(1_024 * 5 + 5);
        assertThat(roles(r)).containsExactly("conv1 inherited frozen", "conv1/batchnorm inherited frozen", "conv1/relu inherited frozen",
                "conv2 inherited frozen", "conv2/relu inherited frozen", "flatten inherited", "fc replaced", "probabilities added").inOrder();
        // inherited tensors keep the base's names, so that its weights load by name
        assertThat(layer(r, "conv1/batchnorm").getAsJsonArray("tensors").get(0).getAsJsonObject().get("name").getAsString())
                .isEqualTo("bn1.weight");
    }

    @Test
    void keepUpToDropsTheRestAndAHeadIsAppendedOnTheInferredInput() {
        JavaFileObject derived = source("Features", """
                @Derive(base = Base.class, keepUpTo = "flatten", freeze = {"conv1"}, input = {3, 16, 16})
                interface Features {
                    @Dense(units = 3) Layer head();
                }
                """);
        JsonObject r = report("Features", BASE, derived);
        assertThat(roles(r)).containsExactly("conv1 inherited frozen", "conv1/batchnorm inherited frozen", "conv1/relu inherited frozen",
                "conv2 inherited", "conv2/relu inherited", "flatten inherited", "head added").inOrder();
        // on 16x16 inputs the flattened features are 16x16x16: the head's input is inferred from them
        assertThat(r.get("params").getAsLong()).isEqualTo(216 + 8 + 16 + 1_152 + 16 + 4_096 * 3 + 3);
    }

    @Test
    void theSummaryShowsWhatIsInheritedReplacedAndFrozen() throws Exception {
        JavaFileObject derived = source("FiveWay", """
                @Derive(base = Base.class, freezeUpTo = "conv2")
                interface FiveWay {
                    @Dense(units = 5) Layer fc();
                }
                """);
        Compilation c = compile(BASE, derived);
        assertThat(c).succeeded();
        Object info = GeneratedModelTest.load(c, "test.FiveWayModel").getField("INFO").get(null);
        String summary = (String) info.getClass().getMethod("summary").invoke(info);
        assertThat(summary).contains("conv1/batchnorm  BatchNorm");
        assertThat(summary).containsMatch("conv2/relu +ReLU +16x8x8 +0 +0  inherited, frozen");
        assertThat(summary).containsMatch("fc +Dense +5 +5,125 +5,120  replaced");
        assertThat(summary).contains("Frozen batch norm:     1 layer normalises with its running statistics in training too, and leaves"
                + " them unchanged");
        assertThat(summary).contains("Derived from:          test.Base: 6 layers inherited (5 frozen), 1 replaced, 0 added");
        // the tensors the base's weights do not have, for Parameters.loadBase
        assertThat(GeneratedModelTest.load(c, "test.FiveWayModel").getField("NEW_TENSORS").get(null)).isEqualTo(List.of("fc.weight", "fc.bias"));
    }

    @Test
    void aBaseFromAnotherProjectsJarIsReadFromItsClassFile(@TempDir Path dir) {
        Compilation library = compile(BASE);
        assertThat(library).succeeded();
        Path jar = Fovea.writeClassOutput(library, dir.resolve("library"));
        JavaFileObject derived = source("FiveWay", """
                @Derive(base = Base.class, freezeUpTo = "conv2")
                interface FiveWay {
                    @Dense(units = 5) Layer fc();
                }
                """);
        Compilation c = Fovea.compileAgainst(jar, derived);
        assertThat(c).succeeded();
        JsonObject r = Fovea.report(c, "test.FiveWay").orElseThrow();
        assertThat(r.get("params").getAsLong()).isEqualTo(216 + 8 + 16 + 1_152 + 16 + 1_024 * 5 + 5);
        assertThat(r.get("trainableParams").getAsLong()).isEqualTo(1_024 * 5 + 5);
    }

    @Test
    void namesThatMatchNoKeptInheritedMemberAreErrorsOnTheirValues() {
        JavaFileObject derived = source("Wrong", """
                @Derive(base = Base.class, keepUpTo = "flaten")
                interface Wrong {
                    @Dense(units = 5) Layer fc();
                }
                """);
        assertThat(compile(BASE, derived)).hadErrorContaining("[Fovea/UnknownLayer] Wrong: @Derive keepUpTo names \"flaten\", but Base"
                + " has no member of that name; did you mean \"flatten\"?").inFile(derived).onLineContaining("keepUpTo = \"flaten\"");

        JavaFileObject dropped = source("Dropped", """
                @Derive(base = Base.class, keepUpTo = "conv2", freeze = {"fc"})
                interface Dropped {
                    @Flatten Layer flat();
                    @Dense(units = 5) Layer head();
                }
                """);
        assertThat(compile(BASE, dropped)).hadErrorContaining("[Fovea/BadArgument] Dropped: @Derive freeze names fc, which keepUpTo ="
                + " \"conv2\" drops").inFile(dropped).onLineContaining("freeze = {\"fc\"}");

        JavaFileObject replaced = source("Replaced", """
                @Derive(base = Base.class, freezeUpTo = "fc")
                interface Replaced {
                    @Dense(units = 5) Layer fc();
                }
                """);
        assertThat(compile(BASE, replaced)).hadErrorContaining("[Fovea/BadArgument] Replaced: @Derive freezeUpTo names fc, which Replaced"
                + " replaces with a new layer").inFile(replaced).onLineContaining("freezeUpTo = \"fc\"");
    }

    @Test
    void anInheritedLayerThatNoLongerFitsIsReportedAtTheDeriveToo() {
        JavaFileObject pooled = source("Pooled", """
                @Network(input = {3, 8, 8})
                interface Pooled {
                    @Conv2d(filters = 4, kernel = 3, padding = 1) Layer conv();
                    @MaxPool2d(kernel = 4) Layer pool();
                    @Flatten Layer flatten();
                    @Dense(units = 10) Layer fc();
                }
                """);
        JavaFileObject small = source("Small", """
                @Derive(base = Pooled.class, input = {3, 2, 2})
                interface Small {
                    @Dense(units = 2) Layer fc();
                }
                """);
        Compilation c = compile(pooled, small);
        assertThat(c).hadErrorContaining("pool (in Pooled): ").inFile(small).onLineContaining("@Derive(base = Pooled.class");
        assertThat(c).hadErrorContaining("pool (in Pooled): ").inFile(pooled).onLineContaining("@MaxPool2d(kernel = 4)");
    }

    @Test
    void aHeadThatDoesNotFitIsReportedOnItsOwnLine() {
        JavaFileObject derived = source("BadHead", """
                @Derive(base = Base.class)
                interface BadHead {
                    @Conv2d(filters = 5, kernel = 1) Layer fc();
                }
                """);
        assertThat(compile(BASE, derived)).hadErrorContaining("[Fovea/ShapeMismatch] fc:").inFile(derived)
                .onLineContaining("@Conv2d(filters = 5, kernel = 1) Layer fc()");
    }

    @Test
    void aBaseThatIsNoNetworkAndADoubleDeclarationAreErrors() {
        JavaFileObject notNetwork = source("NotNetwork", """
                @Derive(base = String.class)
                interface NotNetwork {
                    @Dense(units = 5) Layer fc();
                }
                """);
        assertThat(compile(notNetwork)).hadErrorContaining("[Fovea/BadArgument] NotNetwork: @Derive's base String is not a network")
                .inFile(notNetwork).onLineContaining("base = String.class");
        JavaFileObject both = source("Both", """
                @Network(input = {3, 8, 8})
                @Derive(base = Base.class)
                interface Both {
                    @Dense(units = 5) Layer fc();
                }
                """);
        Compilation c = compile(BASE, both);
        assertThat(c).hadErrorContaining("[Fovea/BadArgument] Both has both @Network and @Derive").inFile(both).onLineContaining("@Derive");
        assertThat(c.diagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).count()).isEqualTo(1);
    }

    @Test
    void derivationsThatLeadBackToThemselvesAreErrors() {
        JavaFileObject a = source("A", """
                @Derive(base = B.class)
                interface A {
                    @Dense(units = 5) Layer fc();
                }
                """);
        JavaFileObject b = source("B", """
                @Derive(base = A.class)
                interface B {
                    @Dense(units = 5) Layer fc();
                }
                """);
        Compilation c = compile(a, b);
        assertThat(c).hadErrorContaining("[Fovea/DeriveCycle] A: @Derive's bases lead back to A").inFile(a).onLineContaining("base = B.class");
        assertThat(c).hadErrorContaining("[Fovea/DeriveCycle] B: @Derive's bases lead back to B").inFile(b).onLineContaining("base = A.class");
    }

    private static List<String> roles(JsonObject report) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : report.getAsJsonArray("layers")) {
            JsonObject l = e.getAsJsonObject();
            out.add(l.get("name").getAsString() + " " + l.get("origin").getAsString() + (l.has("frozen") ? " frozen" : ""));
        }
        return out;
    }
}
