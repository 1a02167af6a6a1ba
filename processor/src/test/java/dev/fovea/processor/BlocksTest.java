package dev.fovea.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.fovea.processor.Fovea.compile;
import static dev.fovea.processor.Fovea.layer;
import static dev.fovea.processor.Fovea.report;
import static dev.fovea.processor.Fovea.shape;
import static dev.fovea.processor.Fovea.source;

import com.google.gson.JsonObject;
import com.google.testing.compile.Compilation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parametric blocks: the four shapes the DSL was designed on, and the mistakes a block can hold. */
class BlocksTest {
    static final JavaFileObject BOTTLENECK = source("Bottleneck", """
            @Block
            @interface Bottleneck {
                int width();
                @FirstOnly int stride() default 1;

                interface Layers {
                    int width = 0, stride = 1;
                    @Conv2d(filters = width, kernel = 1, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
                    @Conv2d(filters = width, kernel = 3, stride = stride, padding = 1, bias = false) @BatchNorm(name = "bn2") @ReLU Layer conv2();
                    @Conv2d(filters = 4 * width, kernel = 1, bias = false) @BatchNorm(name = "bn3") Layer conv3();
                    @Add(shortcut = Shortcut.PROJECTION) @ReLU Layer out();
                }
            }
            """);

    /** A cell that reads the two cells before it, as NASNet's do: the second input is Layer.SECOND_INPUT inside the block. */
    static final JavaFileObject CELL = source("Cell", """
            @Block
            @interface Cell {
                int filters();

                interface Layers {
                    int filters = 8;
                    @Conv2d(filters = filters, kernel = 1) Layer left();
                    @From(Layer.SECOND_INPUT) @Conv2d(filters = filters, kernel = 1) Layer right();
                    @Add(from = "left") @ReLU Layer out();
                }
            }
            """);

    @Test
    void aBlockWithTwoInputsReadsBothAndARepeatPassesEachTheOneBeforeIt() {
        JavaFileObject net = source("Cells", """
                @Network(input = {3, 8, 8})
                interface Cells {
                    @Conv2d(filters = 4, kernel = 3, padding = 1) Layer stem0();
                    @Conv2d(filters = 6, kernel = 3, padding = 1) Layer stem1();
                    @Cell(filters = 8) @From({"stem1", "stem0"}) Layer cell2();
                    @Cell(filters = 8) @From({"cell2", "stem1"}) @Repeat(3) Layer cells();
                }
                """);
        JsonObject r = report("Cells", CELL, net);
        assertThat(layer(r, "cell2.left").getAsJsonArray("inputs").toString()).isEqualTo("[\"stem1\"]");
        assertThat(layer(r, "cell2.right").getAsJsonArray("inputs").toString()).isEqualTo("[\"stem0\"]");
        // repetition 0 reads (cell2, stem1); 1 reads (cells.0, cell2); 2 reads (cells.1, cells.0)
        assertThat(layer(r, "cells.0.right").getAsJsonArray("inputs").toString()).isEqualTo("[\"stem1\"]");
        assertThat(layer(r, "cells.1.left").getAsJsonArray("inputs").toString()).isEqualTo("[\"cells.0.out/relu\"]");
        assertThat(layer(r, "cells.1.right").getAsJsonArray("inputs").toString()).isEqualTo("[\"cell2.out/relu\"]");
        assertThat(layer(r, "cells.2.right").getAsJsonArray("inputs").toString()).isEqualTo("[\"cells.0.out/relu\"]");
        // every 1x1 convolution: 8 filters over 4, 6 or 8 channels
        assertThat(r.get("params").getAsLong()).isEqualTo(4 * 27 + 4 + 6 * 36 + 6 + (8 * 6 + 8) + (8 * 4 + 8) + (8 * 8 + 8) + (8 * 6 + 8)
                + 2 * ((8 * 8 + 8) + (8 * 8 + 8)));
    }

    /**
     * Another project's blocks: compiled alone, their classes and stored templates put in a folder as a jar
     * holds them, then used from that folder on the class path by a network compiled later. The network's
     * report is the one it gets when compiled with the blocks' sources; without the templates the blocks'
     * expressions are lost, which is an error that says so.
     */
    @Test
    void blocksFromAnotherProjectsJarRebindLikeTheirSource(@TempDir Path dir) throws Exception {
        Compilation library = compile(BOTTLENECK, CELL);
        assertThat(library).succeeded();
        Path jar = Fovea.writeClassOutput(library, dir.resolve("library"));
        assertThat(Files.exists(jar.resolve("test/Bottleneck.block.json"))).isTrue();

        String network = """
                @Network(input = {256, 56, 56})
                interface User {
                    @Bottleneck(width = 128, stride = 2) @Repeat(4) Layer layer2();
                    @Cell(filters = 8) @From({"layer2", "layer2"}) @Repeat(2) Layer cells();
                }
                """;
        Compilation fromJar = Fovea.compileAgainst(jar, source("User", network));
        assertThat(fromJar).succeeded();
        JsonObject together = report("User", BOTTLENECK, CELL, source("User", network));
        JsonObject separate = Fovea.report(fromJar, "test.User").orElseThrow();
        assertThat(separate.toString()).isEqualTo(together.toString());
        assertThat(shape(layer(separate, "layer2.3.out/relu"))).isEqualTo("512x28x28");

        Files.delete(jar.resolve("test/Bottleneck.block.json"));
        assertThat(Fovea.compileAgainst(jar, source("User", network))).hadErrorContaining("[Fovea/BlockWithoutSource] layer2.0:"
                + " @Bottleneck comes from a class file without the template Fovea stores beside it");
    }

    @Test
    void twoNamesOnABlockOfOneInputAreAnErrorNotASilentlyIgnoredInput() {
        JavaFileObject single = source("Single", """
                @Block
                @interface Single {
                    interface Layers {
                        @Conv2d(filters = 4, kernel = 1) Layer conv();
                    }
                }
                """);
        JavaFileObject net = source("TwoForOne", """
                @Network(input = {3, 8, 8})
                interface TwoForOne {
                    @Conv2d(filters = 4, kernel = 1) Layer stem();
                    @Single @From({"stem", "input"}) Layer one();
                }
                """);
        assertThat(compile(single, net)).hadErrorContaining("[Fovea/BadArgument] one: @From names two layers, but @Single has one input"
                + " (none of its layers reads Layer.SECOND_INPUT); name only the layer it reads")
                .inFile(net).onLineContaining("@From({\"stem\", \"input\"})");
    }

    @Test
    void aParameterNameRepeatedByTwoUsesOfABlockIsReportedAtTheUseToo() {
        JavaFileObject net = source("Twice", """
                @Network(input = {3, 8, 8})
                interface Twice {
                    @Cell(filters = 8) @From({"input", "input"}) @Name("cell") Layer first();
                    @Cell(filters = 8) @From({"first", "input"}) @Name("cell") Layer second();
                }
                """);
        assertThat(compile(CELL, net)).hadErrorContaining("[Fovea/DuplicateName] second.left: parameter \"cell.left.weight\""
                + " is also first.left's").inFile(net).onLineContaining("Layer second()");
    }

    @Test
    void aTwoInputBlockUsedWithOneOrTwoNamesOnALayerAreErrors() {
        JavaFileObject net = source("Wrong", """
                @Network(input = {3, 8, 8})
                interface Wrong {
                    @Conv2d(filters = 4, kernel = 1) Layer stem();
                    @Cell(filters = 8) Layer cell();
                    @From({"stem", "cell"}) @ReLU Layer relu();
                }
                """);
        Compilation c = compile(CELL, net);
        assertThat(c).hadErrorContaining("reads the block's second input (Layer.SECOND_INPUT), but the block is used with one");
        assertThat(c).hadErrorContaining("[Fovea/BadArgument] relu: @From names two layers only for a block, whose second input they"
                + " are, but names 2").inFile(net).onLineContaining("@From({\"stem\", \"cell\"})");
    }

    @Test
    void resnetStageRepeatsWithStrideAndProjectionOnlyInTheFirstBlock() {
        JavaFileObject net = source("Stage", """
                @Network(input = {256, 56, 56})
                interface Stage {
                    @Bottleneck(width = 128, stride = 2) @Repeat(4) Layer layer2();
                }
                """);
        JsonObject r = report("Stage", BOTTLENECK, net);
        assertThat(shape(layer(r, "layer2.0.conv2"))).isEqualTo("128x28x28");
        assertThat(layer(r, "layer2.0.conv2").get("detail").getAsString()).isEqualTo("3x3/2 p1 no-bias");
        assertThat(layer(r, "layer2.1.conv2").get("detail").getAsString()).isEqualTo("3x3 p1 no-bias");
        assertThat(layer(r, "layer2.0.out").get("detail").getAsString()).isEqualTo("projection 1x1/2");
        assertThat(layer(r, "layer2.1.out").get("detail").getAsString()).isEmpty();
        assertThat(shape(layer(r, "layer2.3.out/relu"))).isEqualTo("512x28x28");
        assertThat(tensorNames(layer(r, "layer2.0.out"))).containsExactly("layer2.0.downsample.0.weight",
                "layer2.0.downsample.1.weight", "layer2.0.downsample.1.bias", "layer2.0.downsample.1.running_mean",
                "layer2.0.downsample.1.running_var").inOrder();
        assertThat(tensorNames(layer(r, "layer2.1.conv1/batchnorm"))).contains("layer2.1.bn1.weight");
        // torchvision's resnet50.layer2: 1,219,584 parameters.
        assertThat(r.get("params").getAsLong()).isEqualTo(1_219_584L);
    }

    @Test
    void inceptionModuleWithSixNumbersAndFourBranches() {
        JavaFileObject net = source("Module3a", """
                @Network(input = {192, 28, 28})
                interface Module3a {
                    @Inception(c1 = 64, c3r = 96, c3 = 128, c5r = 16, c5 = 32, pool = 32) Layer inception3a();
                }
                """);
        JsonObject r = report("Module3a", SeedFiguresTest.INCEPTION_WITHOUT_BIAS, net);
        // The seed's GoogLeNet table, module 3a: 256 channels out, 163,328 weights, 128,049,152 MACs.
        assertThat(r.getAsJsonArray("output").toString()).isEqualTo("[256,28,28]");
        assertThat(r.get("params").getAsLong()).isEqualTo(163_328L);
        assertThat(r.get("macs").getAsLong()).isEqualTo(128_049_152L);
        assertThat(layer(r, "inception3a.out").getAsJsonArray("inputs").toString())
                .isEqualTo("[\"inception3a.branch1/relu\",\"inception3a.branch2/relu\",\"inception3a.branch3/relu\",\"inception3a.branch4/relu\"]");
    }

    @Test
    void denseBlockGrowsItsInputByConcatenation() {
        JavaFileObject dense = source("DenseLayer", """
                @Block
                @interface DenseLayer {
                    int growth() default 32;
                    int bnSize() default 4;

                    interface Layers {
                        int growth = 0, bnSize = 0;
                        @BatchNorm(name = "norm1") @ReLU Layer norm1();
                        @Conv2d(filters = bnSize * growth, kernel = 1, bias = false) @BatchNorm(name = "norm2") @ReLU Layer conv1();
                        @Conv2d(filters = growth, kernel = 3, padding = 1, bias = false) Layer conv2();
                        @Concat({Layer.INPUT, "conv2"}) Layer out();
                    }
                }
                """);
        JavaFileObject net = source("Dense", """
                @Network(input = {64, 56, 56})
                interface Dense {
                    @DenseLayer @Repeat(value = 6, label = "denselayer%d", firstIndex = 1) @Name("features.denseblock1") Layer block1();
                }
                """);
        JsonObject r = report("Dense", dense, net);
        assertThat(r.getAsJsonArray("output").toString()).isEqualTo("[256,56,56]");
        assertThat(shape(layer(r, "block1.denselayer6.norm1"))).isEqualTo("224x56x56");
        assertThat(tensorNames(layer(r, "block1.denselayer1.conv1"))).contains("features.denseblock1.denselayer1.conv1.weight");
        // torchvision densenet121.features.denseblock1: 335,040 parameters.
        assertThat(r.get("params").getAsLong()).isEqualTo(335_040L);
    }

    @Test
    void widthMultiplierIsArithmeticOnADoubleParameter() {
        JavaFileObject separable = source("Separable", """
                @Block
                @interface Separable {
                    int filters();
                    double alpha() default 1.0;
                    @FirstOnly int stride() default 1;

                    interface Layers {
                        int filters = 0, stride = 1;
                        double alpha = 1.0;
                        @DepthwiseConv2d(kernel = 3, stride = stride, padding = 1, bias = false) @BatchNorm @ReLU Layer dw();
                        @Conv2d(filters = (int) (filters * alpha), kernel = 1, bias = false) @BatchNorm @ReLU Layer pw();
                    }
                }
                """);
        JavaFileObject net = source("Mobile", """
                @Network(input = {3, 224, 224})
                interface Mobile {
                    double ALPHA = 0.75;
                    @Conv2d(filters = (int) (32 * ALPHA), kernel = 3, stride = 2, padding = 1, bias = false) @BatchNorm @ReLU Layer stem();
                    @Separable(filters = 64, alpha = ALPHA) Layer sep1();
                    @Separable(filters = 128, alpha = ALPHA, stride = 2) Layer sep2();
                }
                """);
        JsonObject r = report("Mobile", separable, net);
        assertThat(shape(layer(r, "stem"))).isEqualTo("24x112x112");
        assertThat(shape(layer(r, "sep1.pw"))).isEqualTo("48x112x112");
        assertThat(shape(layer(r, "sep2.dw"))).isEqualTo("48x56x56");
        assertThat(shape(layer(r, "sep2.pw"))).isEqualTo("96x56x56");
        assertThat(layer(r, "sep2.dw").get("detail").getAsString()).isEqualTo("3x3/2 p1 depthwise no-bias");
        assertThat(tensorShape(layer(r, "sep2.dw"), 0)).isEqualTo("[48,1,3,3]");
    }

    @Test
    void errorInsideABlockIsReportedAtTheBlockLayerAndTheUseSite() {
        JavaFileObject block = source("Pair", """
                @Block
                @interface Pair {
                    int kernel();
                    interface Layers {
                        int kernel = 1;
                        @Conv2d(filters = 8,
                                kernel = kernel) Layer conv();
                    }
                }
                """);
        JavaFileObject net = source("Net", """
                @Network(input = {3, 8, 8})
                interface Net {
                    @Pair(kernel = 3) Layer ok();
                    @Pair(kernel = 9) Layer tooBig();
                }
                """);
        Compilation c = compile(block, net);
        assertThat(c).hadErrorContaining("[Fovea/KernelTooLarge] tooBig.conv (in Pair kernel=9): kernel 9, more than the height 6")
                .inFile(block).onLineContaining("kernel = kernel");
        assertThat(c).hadErrorContaining("[Fovea/KernelTooLarge] tooBig.conv (in Pair kernel=9)")
                .inFile(net).onLineContaining("@Pair(kernel = 9)");
        assertThat(c).hadErrorContaining("input 3x8x8 -> ok.conv 8x6x6");
    }

    @Test
    void placeholderWithoutParameterSuggestsTheParameter() {
        JavaFileObject block = source("Typo", """
                @Block
                @interface Typo {
                    int width();
                    interface Layers {
                        int widht = 0;
                        @Conv2d(filters = widht, kernel = 1) Layer conv();
                    }
                }
                """);
        Compilation c = compile(block);
        assertThat(c).hadErrorContaining("[Fovea/UnknownParameter] @Typo: Layers declares widht, which is not a parameter of @Typo;"
                + " did you mean width?").inFile(block).onLineContaining("int widht = 0;");
        assertThat(c).hadWarningContaining("[Fovea/UnusedParameter] @Typo: parameter width has no constant in Layers")
                .inFile(block).onLineContaining("int width();");
    }

    @Test
    void placeholderOfTheWrongType() {
        JavaFileObject block = source("Typed", """
                @Block
                @interface Typed {
                    double alpha();
                    interface Layers {
                        int alpha = 1;
                        @Conv2d(filters = 8 * alpha, kernel = 1) Layer conv();
                    }
                }
                """);
        assertThat(compile(block)).hadErrorContaining("alpha is a double parameter but its constant in Layers is a int")
                .inFile(block).onLineContaining("int alpha = 1;");
    }

    @Test
    void firstOnlyParameterNeedsADefault() {
        JavaFileObject block = source("Strided", """
                @Block
                @interface Strided {
                    @FirstOnly int stride();
                    interface Layers {
                        int stride = 1;
                        @Conv2d(filters = 8, kernel = 1, stride = stride) Layer conv();
                    }
                }
                """);
        assertThat(compile(block)).hadErrorContaining("[Fovea/BlockArguments] @Strided: @FirstOnly parameter stride needs a default")
                .inFile(block).onLineContaining("int stride();");
    }

    @Test
    void javacChecksArgumentNamesAndCountsAtTheUseSite() {
        JavaFileObject net = source("Net", """
                @Network(input = {64, 56, 56})
                interface Net {
                    @Bottleneck(widht = 64) Layer a();
                    @Bottleneck Layer b();
                }
                """);
        Compilation c = compile(BOTTLENECK, net);
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("widht").inFile(net).onLineContaining("widht = 64");
        assertThat(c).hadErrorContaining("width").inFile(net).onLineContaining("@Bottleneck Layer b()");
    }

    @Test
    void blockThatUsesItselfEndsInADiagnostic() {
        JavaFileObject block = source("Forever", """
                @Block
                @interface Forever {
                    interface Layers {
                        @ReLU Layer relu();
                        @Forever Layer again();
                    }
                }
                """);
        JavaFileObject net = source("Net", """
                @Network(input = {3, 8, 8})
                interface Net { @Forever Layer f(); }
                """);
        Compilation c = compile(block, net);
        assertThat(c).hadErrorContaining("[Fovea/BlockCycle]");
        assertThat(c).hadErrorContaining("does @Forever use itself?");
    }

    @Test
    void memberIsEitherABlockOrAChain() {
        JavaFileObject net = source("Net", """
                @Network(input = {64, 56, 56})
                interface Net {
                    @Bottleneck(width = 16) @ReLU Layer a();
                }
                """);
        assertThat(compile(BOTTLENECK, net)).hadErrorContaining("[Fovea/MixedMember] a: a member is either one block or a chain of layers")
                .inFile(net).onLineContaining("@ReLU Layer a()");
    }

    @Test
    void blockArgumentsCanBeExpressionsOfTheEnclosingBlocksParameters() {
        JavaFileObject inner = source("Inner", """
                @Block
                @interface Inner {
                    int width();
                    interface Layers {
                        int width = 0;
                        @Conv2d(filters = width, kernel = 1) Layer conv();
                    }
                }
                """);
        JavaFileObject outer = source("Outer", """
                @Block
                @interface Outer {
                    int base();
                    int depth() default 2;
                    interface Layers {
                        int base = 0, depth = 0;
                        @Inner(width = base * 2) @Repeat(depth) Layer inner();
                        @Conv2d(filters = base > 8 ? base : 8, kernel = 1) Layer last();
                    }
                }
                """);
        JavaFileObject net = source("Net", """
                @Network(input = {3, 4, 4})
                interface Net {
                    @Outer(base = 5, depth = 3) Layer a();
                    @Outer(base = 16) Layer b();
                }
                """);
        JsonObject r = report("Net", inner, outer, net);
        assertThat(shape(layer(r, "a.inner.2.conv"))).isEqualTo("10x4x4");
        assertThat(shape(layer(r, "a.last"))).isEqualTo("8x4x4");
        assertThat(shape(layer(r, "b.inner.1.conv"))).isEqualTo("32x4x4");
        assertThat(shape(layer(r, "b.last"))).isEqualTo("16x4x4");
    }

    @Test
    void layersMayDeriveConstantsFromParameters() {
        JavaFileObject block = source("Grouped", """
                @Block
                @interface Grouped {
                    int planes();
                    int groups() default 1;
                    int baseWidth() default 64;
                    interface Layers {
                        int planes = 64, groups = 1, baseWidth = 64;
                        int width = planes * baseWidth / 64 * groups;     // derived: ResNeXt's bottleneck width
                        int out = 4 * planes;
                        @Conv2d(filters = width, kernel = 3, padding = 1, groups = groups, bias = false) Layer conv();
                        @Conv2d(filters = out, kernel = 1, bias = false) Layer expand();
                    }
                }
                """);
        JavaFileObject net = source("Net", """
                @Network(input = {64, 8, 8})
                interface Net {
                    @Grouped(planes = 64, groups = 32, baseWidth = 4) Layer resnext();
                    @Grouped(planes = 64, baseWidth = 128) Layer wide();
                }
                """);
        Compilation c = compile(block, net);
        assertThat(c).succeededWithoutWarnings();
        JsonObject r = Fovea.report(c, "test.Net").orElseThrow();
        assertThat(shape(layer(r, "resnext.conv"))).isEqualTo("128x8x8");
        assertThat(shape(layer(r, "resnext.expand"))).isEqualTo("256x8x8");
        assertThat(shape(layer(r, "wide.conv"))).isEqualTo("128x8x8");
        assertThat(tensorShape(layer(r, "resnext.conv"), 0)).isEqualTo("[128,2,3,3]"); // 64 inputs in 32 groups
    }

    @Test
    void derivedConstantDefinedInTermsOfItselfIsAnError() {
        JavaFileObject block = source("Loop", """
                @Block
                @interface Loop {
                    int planes();
                    interface Layers {
                        int planes = 0;
                        int a = b + planes, b = a + 1;
                        @Conv2d(filters = a, kernel = 1) Layer conv();
                    }
                }
                """);
        Compilation c = compile(block);
        assertThat(c).failed();
    }

    static List<String> tensorNames(JsonObject layer) {
        List<String> names = new ArrayList<>();
        layer.getAsJsonArray("tensors").forEach(t -> names.add(t.getAsJsonObject().get("name").getAsString()));
        return names;
    }

    static String tensorShape(JsonObject layer, int index) {
        return layer.getAsJsonArray("tensors").get(index).getAsJsonObject().getAsJsonArray("shape").toString();
    }
}
