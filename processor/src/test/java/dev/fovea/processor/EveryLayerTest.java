package dev.fovea.processor;

import static com.google.common.truth.Truth.assertThat;
import static dev.fovea.processor.Fovea.layer;
import static dev.fovea.processor.Fovea.report;
import static dev.fovea.processor.Fovea.shape;
import static dev.fovea.processor.Fovea.source;

import com.google.gson.JsonObject;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** One network with every layer type, its shapes and figures worked out by hand in the comments. */
class EveryLayerTest {
    static final JavaFileObject ALL = source("All", """
            @Network(input = {3, 16, 16})
            interface All {
                @Frozen @Conv2d(filters = 8, kernel = 3, padding = 1) Layer c();       // 8*27 + 8 = 224; 8*16*16*27 = 55,296 MACs
                @LocalResponseNorm(size = 5) Layer lrn();
                @LayerNorm Layer ln();                                                 // 16
                @Subsample(kernel = 2) Layer sub();                                    // 8x8x8; 16
                @LayerScale Layer ls();                                                // 8
                @GlobalAvgPool Layer squeeze();                                        // 8x1x1
                @Conv2d(filters = 2, kernel = 1) @ReLU Layer fc1();                    // 18; 16 MACs
                @Conv2d(filters = 8, kernel = 1) @Sigmoid Layer fc2();                 // 24; 16 MACs
                @Scale(from = "ls") Layer excite();                                    // 8x8x8
                @ConvTranspose2d(filters = 4, kernel = 2, stride = 2, bias = false) Layer up();  // 4x16x16; 128; 512*4*4 = 8,192 MACs
                @DepthwiseConv2d(kernel = 3, padding = 1, multiplier = 2) Layer dw();  // 8x16x16; 72 + 8 = 80; 2048*9 = 18,432 MACs
                @Tap("features") @AdaptiveAvgPool2d(output = {4, 2}) Layer ap();       // 8x4x2
                @Flatten Layer flat();                                                 // 64
                @Dense(units = 16) @GELU @Dropout(rate = 0.1) Layer fc();              // 1,040; 1,024 MACs
                @Dense(units = 16) @ReLU6 @Tanh @LeakyReLU(slope = 0.2) @SiLU @HardSwish @HardSigmoid @Multiply(0.17) Layer mix();  // 272; 256 MACs
                @BatchNorm Layer bn();                                                 // 32 (+32 buffers)
                @Dense(units = 5) @Softmax Layer out();                                // 85; 80 MACs
            }
            """);

    @Test
    void everyLayerTypeHasItsShapeAndCost() {
        JsonObject r = report("All", ALL);
        assertThat(shape(layer(r, "sub"))).isEqualTo("8x8x8");
        assertThat(shape(layer(r, "squeeze"))).isEqualTo("8x1x1");
        assertThat(shape(layer(r, "excite"))).isEqualTo("8x8x8");
        assertThat(shape(layer(r, "up"))).isEqualTo("4x16x16");
        assertThat(shape(layer(r, "dw"))).isEqualTo("8x16x16");
        assertThat(shape(layer(r, "ap"))).isEqualTo("8x4x2");
        assertThat(shape(layer(r, "flat"))).isEqualTo("64");
        assertThat(shape(layer(r, "out/softmax"))).isEqualTo("5");
        assertThat(layer(r, "mix/hardswish").get("type").getAsString()).isEqualTo("Hardswish");
        assertThat(layer(r, "mix/hardsigmoid").get("type").getAsString()).isEqualTo("Hardsigmoid");
        assertThat(layer(r, "mix/multiply").get("detail").getAsString()).isEqualTo("x0.17");
        assertThat(layer(r, "mix/multiply").get("params").getAsLong()).isEqualTo(0L);
        assertThat(layer(r, "ln").get("params").getAsLong()).isEqualTo(16L);
        assertThat(layer(r, "sub").get("params").getAsLong()).isEqualTo(16L);
        assertThat(BlocksTest.tensorShape(layer(r, "ls"), 0)).isEqualTo("[8,1,1]");
        assertThat(BlocksTest.tensorNames(layer(r, "ls"))).containsExactly("ls");
        assertThat(layer(r, "excite").getAsJsonArray("inputs").toString()).isEqualTo("[\"fc2/sigmoid\",\"ls\"]");
        assertThat(r.get("params").getAsLong()).isEqualTo(1_943L);
        assertThat(r.get("bufferValues").getAsLong()).isEqualTo(32L);
        assertThat(r.get("macs").getAsLong()).isEqualTo(83_312L);
    }

    @Test
    void frozenLayersAreNotTrainable() {
        JsonObject r = report("All", ALL);
        assertThat(r.get("trainableParams").getAsLong()).isEqualTo(1_943L - 224L);
        assertThat(layer(r, "c").get("frozen").getAsBoolean()).isTrue();
        assertThat(layer(r, "lrn").has("frozen")).isFalse();
    }

    @Test
    void tapsNameIntermediateOutputs() {
        JsonObject r = report("All", ALL);
        assertThat(r.getAsJsonObject("taps").toString()).isEqualTo("{\"features\":\"ap\"}");
    }

    @Test
    void frozenBlockUseFreezesEveryLayerInside() {
        JavaFileObject net = source("Head", """
                @Network(input = {64, 8, 8})
                interface Head {
                    @Frozen @Bottleneck(width = 16) @Repeat(2) Layer body();
                    @GlobalAvgPool Layer gap();
                    @Flatten Layer flat();
                    @Dense(units = 10) Layer classifier();
                }
                """);
        JsonObject r = report("Head", BlocksTest.BOTTLENECK, net);
        assertThat(r.get("trainableParams").getAsLong()).isEqualTo(64L * 10 + 10);
        assertThat(layer(r, "body.1.conv3").get("frozen").getAsBoolean()).isTrue();
    }
}
