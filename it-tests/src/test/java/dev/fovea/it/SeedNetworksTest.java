package dev.fovea.it;

import static dev.fovea.it.ZooReports.layer;
import static dev.fovea.it.ZooReports.shape;
import static dev.fovea.it.ZooReports.zoo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole networks of the seed lecture (shared/reference/seed-figures.md, section 4), compiled in the
 * zoo and held here to the seed's tables layer by layer, besides the totals their {@code @Expect} checks.
 */
class SeedNetworksTest {
    private static void assertLayers(JsonObject report, List<String> layers, List<String> shapes, List<Long> params) {
        for (int i = 0; i < layers.size(); i++) {
            JsonObject l = layer(report, layers.get(i));
            assertEquals(shapes.get(i), shape(l), layers.get(i) + " shape");
            assertEquals(params.get(i), l.get("params").getAsLong(), layers.get(i) + " params");
        }
    }

    @Test
    void alexNetAsTheSeedCodesIt() {
        JsonObject r = zoo("SeedAlexNet");
        assertLayers(r,
                List.of("conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5", "flatten", "fc6", "fc7", "fc8"),
                List.of("96x55x55", "96x27x27", "256x27x27", "256x13x13", "384x13x13", "384x13x13", "256x13x13", "256x6x6",
                        "9216", "4096", "4096", "1000"),
                List.of(34_944L, 0L, 614_656L, 0L, 885_120L, 1_327_488L, 884_992L, 0L, 0L, 37_752_832L, 16_781_312L, 4_097_000L));
        assertEquals(62_378_344L, r.get("params").getAsLong());
        assertEquals(1_135_256_096L, r.get("macs").getAsLong());
    }

    @Test
    void zfNetAsTheSeedCodesIt() {
        JsonObject r = zoo("SeedZfNet");
        assertLayers(r,
                List.of("conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5", "flatten", "fc6", "fc7", "fc8"),
                List.of("96x111x111", "96x55x55", "256x55x55", "256x27x27", "512x27x27", "1024x27x27", "512x27x27", "512x13x13",
                        "86528", "4096", "4096", "1000"),
                List.of(14_208L, 0L, 614_656L, 0L, 1_180_160L, 4_719_616L, 4_719_104L, 0L, 0L, 354_422_784L, 16_781_312L,
                        4_097_000L));
        assertEquals(386_548_840L, r.get("params").getAsLong());
    }

    @Test
    void vgg16OfTheSeedTableHasOneConvolutionTooFew() {
        JsonObject seed = zoo("SeedVgg16");
        JsonObject real = zoo("Vgg16");
        assertEquals(137_767_464L, seed.get("params").getAsLong());
        assertEquals(138_357_544L, real.get("params").getAsLong());
        assertEquals(590_080L, real.get("params").getAsLong() - seed.get("params").getAsLong());
        assertEquals(15_470_264_320L, real.get("macs").getAsLong());
        // The seed table's rows, which both share.
        assertLayers(real,
                List.of("conv1_1", "conv1_2", "pool1", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv4_1", "conv4_2", "pool5", "fc6",
                        "fc8"),
                List.of("64x224x224", "64x224x224", "64x112x112", "128x112x112", "128x112x112", "256x56x56", "256x56x56",
                        "512x28x28", "512x28x28", "512x7x7", "4096", "1000"),
                List.of(1_792L, 36_928L, 0L, 73_856L, 147_584L, 295_168L, 590_080L, 1_180_160L, 2_359_808L, 0L, 102_764_544L,
                        4_097_000L));
    }
}
