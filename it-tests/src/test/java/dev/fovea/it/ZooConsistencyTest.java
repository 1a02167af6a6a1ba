package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.fovea.runtime.LayerInfo;
import dev.fovea.runtime.ModelInfo;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every network of the zoo: its report is complete and adds up, and its generated model class carries
 * the same figures.
 */
class ZooConsistencyTest {
    @Test
    void theIndexListsTheZoo() {
        List<String> networks = ZooReports.networks();
        assertTrue(networks.contains("dev.fovea.zoo.SeedAlexNet"), networks.toString());
        assertTrue(networks.contains("dev.fovea.zoo.Vgg16"), networks.toString());
    }

    @TestFactory
    List<DynamicTest> everyReportAddsUpAndMatchesItsModelClass() {
        return ZooReports.networks().stream().map(name -> DynamicTest.dynamicTest(name, () -> check(name))).toList();
    }

    private static void check(String name) throws ReflectiveOperationException {
        JsonObject r = ZooReports.report(name);
        for (String key : List.of("name", "input", "output", "params", "trainableParams", "macs", "activationBytes", "layers")) {
            assertTrue(r.has(key), name + " report lacks " + key);
        }
        long params = 0;
        long macs = 0;
        long tensorValues = 0;
        Set<String> tensorNames = new HashSet<>();
        for (JsonElement e : r.getAsJsonArray("layers")) {
            JsonObject l = e.getAsJsonObject();
            for (String key : List.of("name", "type", "output", "params", "macs")) {
                assertTrue(l.has(key), name + " layer lacks " + key);
            }
            params += l.get("params").getAsLong();
            macs += l.get("macs").getAsLong();
            for (JsonElement t : l.getAsJsonArray("tensors")) {
                JsonObject tensor = t.getAsJsonObject();
                assertTrue(tensorNames.add(tensor.get("name").getAsString()), "duplicate tensor " + tensor.get("name"));
                if (!tensor.has("buffer")) {
                    long n = 1;
                    for (JsonElement d : tensor.getAsJsonArray("shape")) {
                        n *= d.getAsLong();
                    }
                    tensorValues += n;
                }
            }
        }
        assertEquals(r.get("params").getAsLong(), params, "layer params add up");
        assertEquals(r.get("params").getAsLong(), tensorValues, "tensor shapes add up");
        assertEquals(r.get("macs").getAsLong(), macs, "layer MACs add up");

        Class<?> model = Class.forName(name + "Model");
        assertEquals(r.get("params").getAsLong(), model.getField("PARAMS").getLong(null));
        assertEquals(r.get("macs").getAsLong(), model.getField("MACS").getLong(null));
        assertEquals(r.get("activationBytes").getAsLong(), model.getField("ACTIVATION_BYTES").getLong(null));
        ModelInfo info = (ModelInfo) model.getField("INFO").get(null);
        assertEquals(r.getAsJsonArray("layers").size(), info.layers().size());
        LayerInfo last = info.layers().getLast();
        assertEquals(info.output(), last.output());
        String summary = info.summary();
        assertTrue(summary.contains(String.format(java.util.Locale.ROOT, "%,d", info.params())), summary);
        assertFalse(summary.isBlank());
    }
}
