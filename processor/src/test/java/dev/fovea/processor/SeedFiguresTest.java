package dev.fovea.processor;

import static com.google.common.truth.Truth.assertThat;
import static dev.fovea.processor.Fovea.layer;
import static dev.fovea.processor.Fovea.report;
import static dev.fovea.processor.Fovea.shape;
import static dev.fovea.processor.Fovea.source;

import com.google.gson.JsonObject;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The worked examples of the seed documents (shared/reference/seed-figures.md, sections 1 and 3, and the
 * GoogLeNet module table), each compiled and held to the seed's exact figure. The whole networks (AlexNet,
 * ZFNet, VGG) are zoo models, checked by their {@code @Expect} and by it-tests.
 */
class SeedFiguresTest {
    @Test
    void outputSizeOfFiveFourByFourKernelsWithStrideTwo() {
        JsonObject r = report("Net", source("Net", """
                @Network(input = {3, 256, 256})
                interface Net { @Conv2d(filters = 5, kernel = 4, stride = 2) Layer conv(); }
                """));
        assertThat(shape(layer(r, "conv"))).isEqualTo("5x127x127");
    }

    @Test
    void fiveByFiveConvolutionThirtyTwoToSixtyFourChannels() {
        JsonObject r = report("Net", source("Net", """
                @Network(input = {32, 130, 130})
                interface Net { @Conv2d(filters = 64, kernel = 5) Layer conv(); }
                """));
        assertThat(shape(layer(r, "conv"))).isEqualTo("64x126x126");
        assertThat(r.get("params").getAsLong()).isEqualTo(51_264L);
        assertThat(r.get("macs").getAsLong()).isEqualTo(812_851_200L);
    }

    @Test
    void depthwiseSeparableVersionOfTheSameConvolution() {
        JsonObject r = report("Net", source("Net", """
                @Network(input = {32, 130, 130})
                interface Net {
                    @DepthwiseConv2d(kernel = 5, bias = false) Layer depthwise();
                    @Conv2d(filters = 64, kernel = 1) Layer pointwise();
                }
                """));
        assertThat(layer(r, "depthwise").get("params").getAsLong()).isEqualTo(800L);
        assertThat(layer(r, "pointwise").get("params").getAsLong()).isEqualTo(2_112L);
        assertThat(layer(r, "depthwise").get("macs").getAsLong()).isEqualTo(12_700_800L);
        assertThat(layer(r, "pointwise").get("macs").getAsLong()).isEqualTo(32_514_048L);
        assertThat(r.get("params").getAsLong()).isEqualTo(2_912L);
        assertThat(r.get("macs").getAsLong()).isEqualTo(45_214_848L);
        // 17.9x fewer MACs and 17.6x fewer parameters than the standard convolution.
        assertThat(812_851_200.0 / r.get("macs").getAsLong()).isWithin(0.05).of(17.98);
        assertThat(51_264.0 / r.get("params").getAsLong()).isWithin(0.05).of(17.60);
    }

    @Test
    void naiveInceptionModule() {
        JsonObject r = report("Naive", source("Naive", """
                @Network(input = {256, 28, 28})
                interface Naive {
                    @Conv2d(filters = 128, kernel = 1) Layer b1();
                    @From(Layer.INPUT) @Conv2d(filters = 192, kernel = 3, padding = 1) Layer b2();
                    @From(Layer.INPUT) @Conv2d(filters = 96, kernel = 5, padding = 2) Layer b3();
                    @From(Layer.INPUT) @MaxPool2d(kernel = 3, stride = 1, padding = 1) Layer b4();
                    @Concat({"b1", "b2", "b3", "b4"}) Layer out();
                }
                """));
        assertThat(r.getAsJsonArray("output").toString()).isEqualTo("[672,28,28]");
        assertThat(r.get("macs").getAsLong()).isEqualTo(854_196_224L);
    }

    @Test
    void inceptionModuleWithOneByOneBottlenecks() {
        JsonObject r = report("Bottlenecked", source("Bottlenecked", """
                @Network(input = {256, 28, 28})
                interface Bottlenecked {
                    @Conv2d(filters = 128, kernel = 1) Layer b1();
                    @From(Layer.INPUT) @Conv2d(filters = 64, kernel = 1) Layer r3();
                    @Conv2d(filters = 192, kernel = 3, padding = 1) Layer b2();
                    @From(Layer.INPUT) @Conv2d(filters = 64, kernel = 1) Layer r5();
                    @Conv2d(filters = 96, kernel = 5, padding = 2) Layer b3();
                    @From(Layer.INPUT) @MaxPool2d(kernel = 3, stride = 1, padding = 1) Layer pool();
                    @Conv2d(filters = 64, kernel = 1) Layer b4();
                    @Concat({"b1", "b2", "b3", "b4"}) Layer out();
                }
                """));
        assertThat(r.getAsJsonArray("output").toString()).isEqualTo("[480,28,28]");
        assertThat(r.get("macs").getAsLong()).isEqualTo(271_351_808L);
    }

    @Test
    void fiveByFiveBranchWithAndWithoutAReduction() {
        JsonObject r = report("Branch", source("Branch", """
                @Network(input = {192, 28, 28})
                interface Branch {
                    @Conv2d(filters = 32, kernel = 5, padding = 2) Layer direct();
                    @From(Layer.INPUT) @Conv2d(filters = 16, kernel = 1) Layer reduce();
                    @Conv2d(filters = 32, kernel = 5, padding = 2) Layer reduced();
                }
                """));
        long direct = layer(r, "direct").get("macs").getAsLong();
        long reduced = layer(r, "reduce").get("macs").getAsLong() + layer(r, "reduced").get("macs").getAsLong();
        assertThat(direct).isEqualTo(120_422_400L); // "120M"
        assertThat(reduced).isEqualTo(12_443_648L); // "12M"
    }

    @Test
    void threeStackedThreeByThreeAgainstOneSevenBySeven() {
        int depth = 64;
        JsonObject r = report("Stacks", source("Stacks", """
                @Network(input = {64, 32, 32})
                interface Stacks {
                    @Conv2d(filters = 64, kernel = 3, padding = 1, bias = false) @Repeat(3) Layer three();
                    @From(Layer.INPUT) @Conv2d(filters = 64, kernel = 7, padding = 3, bias = false) Layer seven();
                }
                """));
        long three = 0;
        for (int i = 0; i < 3; i++) {
            three += layer(r, "three." + i).get("params").getAsLong();
        }
        assertThat(three).isEqualTo(27L * depth * depth);
        assertThat(layer(r, "seven").get("params").getAsLong()).isEqualTo(49L * depth * depth);
    }

    @Test
    void poolingAndTransposedConvolutionShapesOfTheWorkedExamples() {
        JsonObject r = report("Small", source("Small", """
                @Network(input = {1, 4, 4})
                interface Small {
                    @MaxPool2d(kernel = 2, stride = 2) Layer max();
                    @From(Layer.INPUT) @AvgPool2d(kernel = 2, stride = 2) Layer avg();
                    @From(Layer.INPUT) @Conv2d(filters = 1, kernel = 3) Layer xcorr();
                    @ConvTranspose2d(filters = 1, kernel = 2, bias = false) Layer transposed();
                }
                """));
        assertThat(shape(layer(r, "max"))).isEqualTo("1x2x2");
        assertThat(shape(layer(r, "avg"))).isEqualTo("1x2x2");
        assertThat(shape(layer(r, "xcorr"))).isEqualTo("1x2x2");
        assertThat(shape(layer(r, "transposed"))).isEqualTo("1x3x3");
    }

    /** The GoogLeNet table of seed 000: exact weights (no biases) and MACs of each inception module. */
    @ParameterizedTest(name = "inception {0}")
    @CsvSource({
        "3a, 192, 28, 64, 96, 128, 16, 32, 32, 256, 163328, 128049152",
        "3b, 256, 28, 128, 128, 192, 32, 96, 64, 480, 388096, 304267264",
        "4a, 480, 14, 192, 96, 208, 16, 48, 64, 512, 375552, 73608192",
        "4b, 512, 14, 160, 112, 224, 24, 64, 64, 512, 448512, 87908352",
        "4c, 512, 14, 128, 128, 256, 24, 64, 64, 512, 509440, 99850240",
        "4d, 512, 14, 112, 144, 288, 32, 64, 64, 528, 604672, 118515712",
        "4e, 528, 14, 256, 160, 320, 32, 128, 128, 832, 867328, 169996288",
        "5a, 832, 7, 256, 160, 320, 32, 128, 128, 832, 1042432, 51079168",
        "5b, 832, 7, 384, 192, 384, 48, 128, 128, 1024, 1442816, 70697984",
    })
    void googLeNetModule(String module, int in, int size, int c1, int c3r, int c3, int c5r, int c5, int pool, int out,
            long weights, long macs) {
        JavaFileObject net = source("Module", """
                @Network(input = {%d, %d, %d})
                interface Module {
                    @Inception(c1 = %d, c3r = %d, c3 = %d, c5r = %d, c5 = %d, pool = %d) Layer inception();
                }
                """.formatted(in, size, size, c1, c3r, c3, c5r, c5, pool));
        JsonObject r = report("Module", INCEPTION_WITHOUT_BIAS, net);
        assertThat(r.getAsJsonArray("output").toString()).isEqualTo("[" + out + "," + size + "," + size + "]");
        assertThat(r.get("params").getAsLong()).isEqualTo(weights);
        assertThat(r.get("macs").getAsLong()).isEqualTo(macs);
    }

    static final JavaFileObject INCEPTION_WITHOUT_BIAS = source("Inception", """
            @Block
            @interface Inception {
                int c1(); int c3r(); int c3(); int c5r(); int c5(); int pool();

                interface Layers {
                    int c1 = 0, c3r = 0, c3 = 0, c5r = 0, c5 = 0, pool = 0;
                    @Conv2d(filters = c1, kernel = 1, bias = false) @ReLU Layer branch1();
                    @From(Layer.INPUT) @Conv2d(filters = c3r, kernel = 1, bias = false) @ReLU Layer reduce3();
                    @Conv2d(filters = c3, kernel = 3, padding = 1, bias = false) @ReLU Layer branch2();
                    @From(Layer.INPUT) @Conv2d(filters = c5r, kernel = 1, bias = false) @ReLU Layer reduce5();
                    @Conv2d(filters = c5, kernel = 5, padding = 2, bias = false) @ReLU Layer branch3();
                    @From(Layer.INPUT) @MaxPool2d(kernel = 3, stride = 1, padding = 1) Layer pool4();
                    @Conv2d(filters = pool, kernel = 1, bias = false) @ReLU Layer branch4();
                    @Concat({"branch1", "branch2", "branch3", "branch4"}) Layer out();
                }
            }
            """);
}
