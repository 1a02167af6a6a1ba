package dev.fovea.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.runtime.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batches: each sample once per epoch, in a seeded order, the same from any starting batch. */
class LoaderTest {
    /** Sample i is the single value i; its label is i mod 3. */
    private static Dataset counting(int n) {
        float[] values = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
            labels[i] = i % 3;
        }
        return new FloatSamples("counting", values, labels, Shape.of(1, 1, 1), List.of("a", "b", "c"));
    }

    private static List<float[]> epoch(Loader loader, int epoch, int first) {
        List<float[]> out = new ArrayList<>();
        try (Loader.Epoch e = loader.epoch(epoch, first)) {
            for (Batch b; (b = e.next()) != null; ) {
                out.add(Arrays.copyOf(b.images(), b.count()));
                for (int s = 0; s < b.count(); s++) {
                    assertEquals((int) b.images()[s] % 3, b.labels()[s]);
                }
            }
        }
        return out;
    }

    @Test
    void everySampleOncePerEpochInASeededOrder() {
        Loader loader = new Loader(counting(10), Augmentation.none(Shape.of(1, 1, 1)), 3, true, true, 5);
        assertEquals(3, loader.batchesPerEpoch());
        List<float[]> a = epoch(loader, 0, 0);
        assertEquals(3, a.size());
        float[] all = new float[9];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(a.get(i), 0, all, 3 * i, 3);
        }
        assertEquals(9, Arrays.stream(toInts(all)).distinct().count());
        assertArrayEquals(a.get(1), epoch(loader, 0, 0).get(1));
        assertNotEquals(Arrays.toString(all), Arrays.toString(flatten(epoch(loader, 1, 0))));
        assertArrayEquals(a.get(2), epoch(loader, 0, 2).getFirst(), "an epoch resumed at batch 2 gives the same batch 2");
    }

    @Test
    void evaluationKeepsTheLastPartialBatchZeroPadded() {
        Loader loader = new Loader(counting(7), Augmentation.none(Shape.of(1, 1, 1)), 3, false, false, 0);
        try (Loader.Epoch e = loader.epoch(0, 0)) {
            e.next();
            e.next();
            Batch last = e.next();
            assertEquals(1, last.count());
            assertArrayEquals(new float[] {6, 0, 0}, last.images());
            assertNull(e.next());
        }
    }

    @Test
    void aFailingSampleReachesTheTrainer() {
        Dataset broken = new FloatSamples("broken", new float[4], new int[4], Shape.of(1, 1, 1), List.of("a"));
        Dataset failing = new Dataset() {
            public String name() { return "failing"; }
            public int size() { return 4; }
            public Shape sampleShape() { return Shape.of(1, 1, 1); }
            public List<String> classes() { return List.of("a"); }
            public int label(int i) { return 0; }
            public void read(int i, float[] into, int offset) {
                if (i == 3) {
                    throw new DataException("sample3.png: not an image");
                }
                broken.read(i, into, offset);
            }
        };
        Loader loader = new Loader(failing, Augmentation.none(Shape.of(1, 1, 1)), 2, false, true, 0);
        try (Loader.Epoch e = loader.epoch(0, 0)) {
            e.next();
            assertEquals("sample3.png: not an image", assertThrows(DataException.class, e::next).getMessage());
        }
    }

    private static float[] flatten(List<float[]> batches) {
        float[] out = new float[batches.size() * 3];
        for (int i = 0; i < batches.size(); i++) {
            System.arraycopy(batches.get(i), 0, out, 3 * i, 3);
        }
        return out;
    }

    private static int[] toInts(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (int) v[i];
        }
        return out;
    }
}
