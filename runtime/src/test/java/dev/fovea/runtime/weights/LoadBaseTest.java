package dev.fovea.runtime.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Fine-tuning's load: a base network's weights into a derived one, inherited tensors strictly by name. */
class LoadBaseTest {
    /** A derived model: conv inherited, a new 3-way head. */
    private static final List<TensorSpec> DERIVED = List.of(
            new TensorSpec("conv.weight", new int[] {2, 1, 1, 1}, false),
            new TensorSpec("bn.running_mean", new int[] {2}, true),
            new TensorSpec("head.weight", new int[] {3, 2}, false),
            new TensorSpec("head.bias", new int[] {3}, false));
    private static final List<String> NEW = List.of("head.weight", "head.bias");

    @Test
    void inheritedTensorsLoadByNameAndTheNewHeadKeepsItsInitialValues() {
        Parameters p = Parameters.initialized(DERIVED, 1);
        float[] head = p.get("head.weight").clone();
        Map<String, LoadedTensor> base = new LinkedHashMap<>();
        base.put("conv.weight", new LoadedTensor(new int[] {2, 1, 1, 1}, new float[] {0.5f, -2}));
        base.put("bn.running_mean", new LoadedTensor(new int[] {2}, new float[] {1, 2}));
        base.put("bn.num_batches_tracked", new LoadedTensor(new int[] {}, new float[] {7}));
        base.put("fc.weight", new LoadedTensor(new int[] {10, 2}, new float[20]));

        Transfer t = p.loadBase(base, NEW, "base.safetensors");

        assertArrayEquals(new float[] {0.5f, -2}, p.get("conv.weight"));
        assertArrayEquals(new float[] {1, 2}, p.get("bn.running_mean"));
        assertArrayEquals(head, p.get("head.weight"));
        assertEquals(List.of("conv.weight", "bn.running_mean"), t.loaded());
        assertEquals(List.of("head.weight", "head.bias"), t.initialised());
        assertEquals(List.of("fc.weight"), t.unused());
        assertEquals("loaded 2 tensors, initialised 2 (head.weight, head.bias), did not use 1 (fc.weight)", t.summary());
    }

    @Test
    void everyMissingOrMismatchedInheritedTensorIsNamedAndNothingChanges() {
        Parameters p = Parameters.initialized(DERIVED, 1);
        float[] conv = p.get("conv.weight").clone();
        Map<String, LoadedTensor> wrong = Map.of("conv.weight", new LoadedTensor(new int[] {2, 3, 1, 1}, new float[6]));

        WeightsException e = assertThrows(WeightsException.class, () -> p.loadBase(wrong, NEW, "other.safetensors"));

        assertEquals("other.safetensors: 2 of the 2 inherited tensors do not fit: conv.weight has shape [2, 3, 1, 1] but the model needs"
                + " [2, 1, 1, 1]; bn.running_mean is missing: are these the base network's weights?", e.getMessage());
        assertArrayEquals(conv, p.get("conv.weight"));
    }
}
