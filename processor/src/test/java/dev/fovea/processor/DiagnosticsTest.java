package dev.fovea.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.fovea.processor.Fovea.compile;
import static dev.fovea.processor.Fovea.source;

import com.google.testing.compile.Compilation;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** One test per diagnostic: its tag and message, on the right file and line. */
class DiagnosticsTest {
    @Test
    void denseAfterSpatialTensorAsksForFlatten() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 227, 227})
                interface Net {
                    @Conv2d(filters = 96, kernel = 11, stride = 4) @ReLU Layer conv1();
                    @MaxPool2d(kernel = 3, stride = 2) Layer pool1();
                    @Dense(units = 4096) @ReLU Layer fc6();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("[Fovea/ShapeMismatch] fc6: @Dense needs a flat input but gets 96x27x27")
                .inFile(src).onLineContaining("fc6()");
        assertThat(c).hadErrorContaining("input 3x227x227 -> conv1 96x55x55 -> pool1 96x27x27");
        assertThat(c).hadErrorContaining("fix: add `@Flatten Layer flatten();` before fc6 (69,984 features)");
        assertThat(c).hadErrorCount(1);
    }

    @Test
    void theReadmeExampleSaysWhatTheReadmeShows() {
        JavaFileObject src = source("SeedAlexNet", """
                @Network(input = {3, 227, 227})
                public interface SeedAlexNet {
                    @Conv2d(filters = 96, kernel = 11, stride = 4) @ReLU Layer conv1();
                    @MaxPool2d(kernel = 3, stride = 2) Layer pool1();
                    @Conv2d(filters = 256, kernel = 5, padding = SAME) @ReLU Layer conv2();
                    @MaxPool2d(kernel = 3, stride = 2) Layer pool2();
                    @Conv2d(filters = 384, kernel = 3, padding = SAME) @ReLU Layer conv3();
                    @Conv2d(filters = 384, kernel = 3, padding = SAME) @ReLU Layer conv4();
                    @Conv2d(filters = 256, kernel = 3, padding = SAME) @ReLU Layer conv5();
                    @MaxPool2d(kernel = 3, stride = 2) Layer pool5();
                    @Dense(units = 4096) @ReLU Layer fc6();               // forgot @Flatten
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        // javac indents a message's later lines itself; each line is asserted as the README shows it.
        assertThat(c).hadErrorContaining("[Fovea/ShapeMismatch] fc6: @Dense needs a flat input but gets 256x6x6\n")
                .inFile(src).onLineContaining("fc6()");
        assertThat(c).hadErrorContaining(
                "input 3x227x227 -> conv1 96x55x55 -> ... -> conv4 384x13x13 -> conv5 256x13x13 -> pool5 256x6x6\n");
        assertThat(c).hadErrorContaining("fix: add `@Flatten Layer flatten();` before fc6 (9,216 features)");
    }

    @Test
    void convolutionAfterFlattenNeedsSpatialInput() {
        JavaFileObject src = source("Net", """
                @Network(input = {1, 28, 28})
                interface Net {
                    @Flatten Layer flat();
                    @Conv2d(filters = 8, kernel = 3) Layer conv();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("[Fovea/ShapeMismatch] conv: @Conv2d needs a C x H x W input but gets the flat 784")
                .inFile(src).onLineContaining("Layer conv()");
    }

    @Test
    void kernelLargerThanInputIsReportedOnTheKernelValue() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 7, 7})
                interface Net {
                    @Conv2d(filters = 8,
                            kernel = 11) Layer conv();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("[Fovea/KernelTooLarge] conv: kernel 11, more than the height 7 of its input 3x7x7")
                .inFile(src).onLineContaining("kernel = 11");
        assertThat(c).hadErrorContaining("fix: use kernel = 7 or smaller, or padding = 2");
    }

    @Test
    void dilatedKernelTooLargeIsReportedOnTheDilation() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 8, 8})
                interface Net {
                    @Conv2d(filters = 8, kernel = 3,
                            dilation = 5) Layer conv();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("the dilated kernel spans 11, more than the height 8")
                .inFile(src).onLineContaining("dilation = 5");
    }

    @Test
    void transposedConvolutionWithNoOutputLeft() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 2, 2})
                interface Net {
                    @ConvTranspose2d(filters = 4, kernel = 2,
                            padding = 3) Layer up();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("[Fovea/EmptyOutput] up: padding 3 leaves an output of -3x-3 from input 3x2x2")
                .inFile(src).onLineContaining("padding = 3");
    }

    @Test
    void residualChannelMismatchSuggestsProjection() {
        JavaFileObject src = source("Net", """
                @Network(input = {64, 56, 56})
                interface Net {
                    @Conv2d(filters = 256, kernel = 1) Layer expand();
                    @Add Layer sum();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("[Fovea/ChannelMismatch] sum: cannot add input 64x56x56 to expand 256x56x56")
                .inFile(src).onLineContaining("@Add Layer sum()");
        assertThat(c).hadErrorContaining("fix: shortcut = Shortcut.PROJECTION adds a 1x1 convolution (stride 1)");
    }

    @Test
    void concatenatedBranchesMustAgreeInSize() {
        JavaFileObject src = source("Net", """
                @Network(input = {192, 28, 28})
                interface Net {
                    @Conv2d(filters = 64, kernel = 1) Layer b1();
                    @From(Layer.INPUT) @Conv2d(filters = 32, kernel = 5) Layer b2();
                    @Concat({"b1", "b2"}) Layer out();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("[Fovea/SpatialMismatch] out: @Concat joins along channels, so heights and widths must agree,"
                + " but b2 is 32x24x24 and b1 is 64x28x28").inFile(src).onLineContaining("@Concat");
        assertThat(c).hadErrorContaining("fix: give b2 the padding or stride that keeps 28x28");
    }

    @Test
    void groupsMustDivideChannels() {
        JavaFileObject src = source("Net", """
                @Network(input = {64, 8, 8})
                interface Net {
                    @Conv2d(filters = 128, kernel = 3,
                            groups = 3) Layer conv();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("[Fovea/Groups] conv: groups = 3 must divide both the 64 input channels and the 128 filters")
                .inFile(src).onLineContaining("groups = 3");
        assertThat(c).hadErrorContaining("fix: choose groups among 1, 2, 4, 8, 16, 32, 64");
    }

    @Test
    void channelSplitAndShuffleNeedGroupsThatDivideTheChannels() {
        JavaFileObject src = source("Net", """
                @Network(input = {6, 8, 8})
                interface Net {
                    @ChannelSplit(part = 0,
                            parts = 4) Layer quarter();
                    @From(Layer.INPUT) @ChannelShuffle(
                            4) Layer shuffled();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("[Fovea/Groups] quarter: @ChannelSplit needs parts that divide the 6 channels of 6x8x8, but parts is 4")
                .inFile(src).onLineContaining("parts = 4");
        assertThat(c).hadErrorContaining("[Fovea/Groups] shuffled: @ChannelShuffle needs groups that divide the 6 channels of 6x8x8, but it is 4")
                .inFile(src).onLineContaining("4) Layer shuffled");
    }

    @Test
    void paddingAndCroppingAtOneSideAreChecked() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 4, 4})
                interface Net {
                    @ZeroPad(bottom = 1, right = 1) @Crop(top = 1, left = 1) Layer shifted();
                    @Crop(top = 2,
                            bottom = 2) Layer gone();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("[Fovea/EmptyOutput] gone: @Crop of 4 rows and 0 columns leaves nothing of 3x4x4")
                .inFile(src).onLineContaining("top = 2");
        assertThat(c).hadErrorCount(1);
    }

    @Test
    void nonPositiveArgumentsAreReportedOnTheirValues() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 8, 8})
                interface Net {
                    @Conv2d(filters = 0,
                            kernel = 3) Layer conv();
                    @Dropout(rate = 1.5) Layer drop();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("[Fovea/BadArgument] conv: needs filters (or widthFactor), so that the output channels are known")
                .inFile(src).onLineContaining("filters = 0");
        assertThat(c).hadErrorContaining("[Fovea/BadArgument] drop: rate must be in [0, 1) but is 1.5")
                .inFile(src).onLineContaining("rate = 1.5");
    }

    @Test
    void malformedConnectionTable() {
        JavaFileObject src = source("Net", """
                @Network(input = {2, 8, 8})
                interface Net {
                    @Conv2d(filters = 3, kernel = 3,
                            connections = {"XX.", "X."}) Layer conv();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("row 1 of the connection table has 2 columns but the layer has 3 filters")
                .inFile(src).onLineContaining("connections =");
    }

    @Test
    void unknownLayerReferenceSuggestsTheClosestName() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 8, 8})
                interface Net {
                    @Conv2d(filters = 4, kernel = 1) Layer branch1();
                    @From("branch1") @Conv2d(filters = 4, kernel = 1) Layer branch2();
                    @Concat({"branch1", "brnch2"}) Layer out();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("[Fovea/UnknownLayer] out: no earlier layer is named \"brnch2\"; did you mean \"branch2\"?")
                .inFile(src).onLineContaining("@Concat");
    }

    @Test
    void referenceToALaterLayer() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 8, 8})
                interface Net {
                    @From("later") @ReLU Layer early();
                    @ReLU Layer later();
                }
                """);
        assertThat(compile(src)).hadErrorContaining("early: \"later\" is declared later; a layer can only read earlier ones")
                .inFile(src).onLineContaining("@From(\"later\")");
    }

    @Test
    void memberWithoutLayerAnnotation() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 8, 8})
                interface Net {
                    @ReLU Layer a();
                    Layer forgotten();
                }
                """);
        assertThat(compile(src)).hadErrorContaining("[Fovea/NoLayer] forgotten has no layer annotation")
                .inFile(src).onLineContaining("Layer forgotten()");
    }

    @Test
    void networkWithoutLayers() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 8, 8})
                interface Net {}
                """);
        assertThat(compile(src)).hadErrorContaining("[Fovea/NoLayers] Net has no layers").inFile(src).onLineContaining("interface Net");
    }

    @Test
    void tensorsLargerThanAJavaArrayAreErrors() {
        JavaFileObject wide = source("Wide", """
                @Network(input = {3, 1024, 1024})
                interface Wide {
                    @Conv2d(filters = 4096, kernel = 1) Layer wide();
                    @ReLU Layer relu();
                }
                """);
        JavaFileObject huge = source("Huge", """
                @Network(input = {1000000})
                interface Huge {
                    @Dense(units = 5000) Layer huge();
                }
                """);
        Compilation c = compile(wide, huge);
        assertThat(c).hadErrorContaining("[Fovea/TooLarge] wide: output 4096x1024x1024 has 4,294,967,296 values, more than a Java array"
                + " holds (2,147,483,647)").inFile(wide).onLineContaining("Layer wide()");
        assertThat(c).hadErrorContaining("[Fovea/TooLarge] huge: parameter \"huge.weight\" [5000, 1000000] has 5,000,000,000 values,"
                + " more than a Java array holds").inFile(huge).onLineContaining("Layer huge()");
    }

    @Test
    void badInputShape() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 0})
                interface Net { @ReLU Layer a(); }
                """);
        assertThat(compile(src)).hadErrorContaining("@Network input must be channels, height, width (or features), all positive,"
                + " but is [3, 0]").inFile(src).onLineContaining("@Network");
    }

    @Test
    void duplicateParameterNames() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 8, 8})
                interface Net {
                    @Conv2d(filters = 4, kernel = 1, name = "features.0") Layer a();
                    @Conv2d(filters = 4, kernel = 1, name = "features.0") Layer b();
                }
                """);
        assertThat(compile(src)).hadErrorContaining("[Fovea/DuplicateName] b: parameter \"features.0.weight\" is also a's")
                .inFile(src).onLineContaining("Layer b()");
    }

    @Test
    void expectedFiguresThatDifferFailTheBuildOnTheirValue() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 8, 8})
                @Expect(params = 100,
                        macs = 2304)
                interface Net {
                    @Conv2d(filters = 4, kernel = 3, padding = 1) Layer conv();
                }
                """);
        Compilation c = compile(src);
        // 4*3*3*3 + 4 = 112 parameters; 4*8*8*27 = 6,912 MACs.
        assertThat(c).hadErrorContaining("[Fovea/Expect] Net has 112 parameters but @Expect says 100 (+12)")
                .inFile(src).onLineContaining("params = 100");
        assertThat(c).hadErrorContaining("[Fovea/Expect] Net has 6,912 multiply-accumulates but @Expect says 2,304 (+4,608)")
                .inFile(src).onLineContaining("macs = 2304");
    }

    @Test
    void strideThatDropsInputRowsIsAWarning() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 10, 10})
                interface Net {
                    @Conv2d(filters = 4, kernel = 3,
                            stride = 3) Layer conv();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).succeeded();
        assertThat(c).hadWarningContaining("[Fovea/DropsBorder] conv: stride 3 leaves the last 1 input row and the last 1 input column"
                + " of 3x10x10 outside every window").inFile(src).onLineContaining("stride = 3");
        assertThat(c).hadWarningContaining("fix: padding = 1 covers the whole input");
        assertThat(c).hadWarningCount(1);
    }

    @Test
    void droppedBorderCanBeAcceptedWithSuppressWarnings() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 10, 10})
                @SuppressWarnings("Fovea/DropsBorder") // the reference implementation drops it too
                interface Net {
                    @Conv2d(filters = 4, kernel = 3, stride = 3) Layer conv();
                    @Flatten Layer f();
                    @Flatten Layer again();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadWarningCount(1);
        assertThat(c).hadWarningContaining("[Fovea/Redundant]");
    }

    @Test
    void stridedOneByOneConvolutionIsNotWarnedOf() {
        JavaFileObject src = source("Net", """
                @Network(input = {256, 56, 56})
                interface Net { @Conv2d(filters = 128, kernel = 1, stride = 2) Layer conv(); }
                """);
        assertThat(compile(src)).succeededWithoutWarnings();
    }

    @Test
    void strideThatDropsOnlyPaddingIsSilent() {
        // ResNet's 3x3 stride-2 convolutions on 56x56 drop one row, but it is padding.
        JavaFileObject src = source("Net", """
                @Network(input = {64, 56, 56})
                interface Net {
                    @Conv2d(filters = 128, kernel = 3, stride = 2, padding = 1) Layer conv();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).succeededWithoutWarnings();
    }

    @Test
    void flattenOfFlatInputIsAWarning() {
        JavaFileObject src = source("Net", """
                @Network(input = {10})
                interface Net {
                    @Flatten Layer f();
                    @Dense(units = 2) Layer fc();
                }
                """);
        assertThat(compile(src)).hadWarningContaining("[Fovea/Redundant] f: @Flatten on the input 10, which is flat already")
                .inFile(src).onLineContaining("@Flatten");
    }

    @Test
    void everyErrorOfACompileIsReported() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 32, 32})
                interface Net {
                    @Conv2d(filters = 8, kernel = 3, groups = 2) Layer a();
                    @From(Layer.INPUT) @Conv2d(filters = 8, kernel = 40) Layer b();
                    @From(Layer.INPUT) @Dense(units = 10) Layer c();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(3);
        assertThat(c).hadErrorContaining("[Fovea/Groups] a:");
        assertThat(c).hadErrorContaining("[Fovea/KernelTooLarge] b:");
        assertThat(c).hadErrorContaining("[Fovea/ShapeMismatch] c:");
    }

    @Test
    void checkingGoesOnPastALayerWhoseOutputShapeIsStillKnown() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 32, 32})
                interface Net {
                    @Conv2d(filters = 32, kernel = 3, padding = 1) @ReLU Layer conv1();
                    @Conv2d(filters = 64, kernel = 3, padding = 1) Layer conv2();
                    @Add(from = "conv1") @ReLU Layer residual();
                    @Conv2d(filters = 64, kernel = 3, padding = 1, groups = 5) Layer grouped();
                    @MaxPool2d(kernel = 2) Layer pool();
                    @Dense(units = 10) Layer classifier();
                }
                """);
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(3);
        assertThat(c).hadErrorContaining("[Fovea/ChannelMismatch] residual: cannot add conv1/relu 32x32x32 to conv2 64x32x32");
        assertThat(c).hadErrorContaining("[Fovea/Groups] grouped: groups = 5 must divide");
        assertThat(c).hadErrorContaining("[Fovea/ShapeMismatch] classifier: @Dense needs a flat input but gets 64x16x16");
    }

    @Test
    void errorsOfOneNetworkDoNotStopTheChecksOfAnother() {
        JavaFileObject first = source("First", """
                @Network(input = {3, 4, 4})
                interface First { @Conv2d(filters = 1, kernel = 5) Layer a(); }
                """);
        JavaFileObject second = source("Second", """
                @Network(input = {3, 4, 4})
                interface Second { @Conv2d(filters = 1, kernel = 3) @Dense(units = 2) Layer a(); }
                """);
        Compilation c = compile(first, second);
        assertThat(c).hadErrorCount(2);
        assertThat(c).hadErrorContaining("[Fovea/KernelTooLarge]").inFile(first).onLine(5);
        assertThat(c).hadErrorContaining("[Fovea/ShapeMismatch] a/dense: @Dense needs a flat input but gets 1x2x2")
                .inFile(second).onLine(5);
    }

    @Test
    void allDiagnosticsAreErrorsOrWarningsNeverCrashes() {
        JavaFileObject src = source("Net", """
                @Network(input = {3, 8, 8})
                interface Net { @Conv2d(filters = 4, kernel = 3) @Concat({"x", "y"}) Layer a(); }
                """);
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c.diagnostics().stream().map(d -> d.getMessage(null)).filter(m -> m.contains("Internal")).toList()).isEmpty();
        assertThat(c.diagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).count()).isAtLeast(1L);
    }
}
