package dev.fovea.it;

import static dev.fovea.it.ZooReports.zoo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The papers' own tables, reproduced by the zoo's exact figures at the precision the papers print.
 * Where a paper's model differs from torchvision's, the zoo has both, and this test uses the paper's.
 * The papers are not consistent in how they shorten a figure: some rows are rounded, others cut off
 * (ResNet-34's 3.66 x 10^9 is printed 3.6, ResNet-50's 3.86 is 3.8, while ResNet-101's 7.57 is 7.6;
 * MobileNet at 160 pixels does 290.7 million mult-adds, printed 290). A row holds when the exact figure
 * gives the printed one either way; each row says which.
 */
class PublishedFiguresTest {
    /** The printed figure is {@code exact}, shortened to {@code step} by cutting off or by rounding. */
    private static void assertPrinted(double printed, double exact, double step, String how, String what) {
        double cut = Math.floor(exact / step + 1e-9) * step;
        double rounded = Math.round(exact / step) * step;
        double expected = how.equals("cut") ? cut : rounded;
        assertEquals(printed, expected, step / 100, what + " (exact " + exact + ", " + how + " to " + step + ")");
    }

    /** He et al. 2015, table 1: FLOPs (multiply-adds) of ResNets, in 10^9, for the v1 bottleneck. */
    @ParameterizedTest(name = "{0}: {1} x 10^9 ({2})")
    @CsvSource({"ResNet18, 1.8, rounded", "ResNet34, 3.6, cut", "ResNet50V1, 3.8, cut", "ResNet101V1, 7.6, rounded",
        "ResNet152V1, 11.3, rounded"})
    void resnetTable(String model, double gigaMacs, String how) {
        assertPrinted(gigaMacs, zoo(model).get("macs").getAsLong() / 1e9, 0.1, how, model);
    }

    /** Howard et al. 2017, tables 6 and 7: mult-adds (millions) and parameters (millions) of MobileNet v1. */
    @ParameterizedTest(name = "{0}: {1}M mult-adds ({3}), {2}M parameters")
    @CsvSource({
        "MobileNetV1, 569, 4.2, rounded", "MobileNetV1_075, 325, 2.6, rounded", "MobileNetV1_050, 149, 1.3, rounded",
        "MobileNetV1_025, 41, 0.5, rounded", "MobileNetV1_192, 418, 4.2, rounded", "MobileNetV1_160, 290, 4.2, cut",
        "MobileNetV1_128, 186, 4.2, rounded"})
    void mobileNetTables(String model, double megaMacs, double megaParams, String how) {
        JsonObject r = zoo(model);
        assertPrinted(megaMacs, r.get("macs").getAsLong() / 1e6, 1, how, model + " mult-adds");
        assertPrinted(megaParams, r.get("params").getAsLong() / 1e6, 0.1, "rounded", model + " parameters");
    }

    /**
     * The seed's GoogLeNet table (exact MACs column) holds inside the whole network as the paper builds
     * it: each Inception module's convolutions add up to the table's row.
     */
    @ParameterizedTest(name = "inception{0}: {1} MACs")
    @CsvSource({"3a, 128049152", "3b, 304267264", "4a, 73608192", "4b, 87908352", "4c, 99850240", "4d, 118515712",
        "4e, 169996288", "5a, 51079168", "5b, 70697984"})
    void googLeNetModulesInsideTheNetwork(String module, long macs) {
        long sum = 0;
        for (JsonElement l : zoo("GoogLeNetPaper").getAsJsonArray("layers")) {
            if (l.getAsJsonObject().get("name").getAsString().startsWith("inception" + module + ".")) {
                sum += l.getAsJsonObject().get("macs").getAsLong();
            }
        }
        assertEquals(macs, sum);
    }

    /** LeNet-5: the seed's "about 60 thousand" parameters, and each layer of the paper. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({"c1, 156", "s2, 12", "c3, 1516", "s4, 32", "c5, 48120", "f6, 10164", "output, 840"})
    void leNet5Layers(String layer, long params) {
        assertEquals(params, ZooReports.layer(zoo("LeNet5"), layer).get("params").getAsLong());
    }
}
