package dev.fovea.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkersTest {
    @Test
    void everyIndexRunsExactlyOnceWhateverTheCountAndThreads() {
        for (int threads = 1; threads <= 3; threads++) {
            try (Workers workers = new Workers(threads)) {
                for (int count : new int[] {1, 2, 7, 33, 95, 96, 97, 1000, 4099}) {
                    AtomicIntegerArray runs = new AtomicIntegerArray(count);
                    workers.parallelFor(count, runs::incrementAndGet);
                    int[] expected = new int[count];
                    Arrays.fill(expected, 1);
                    int[] actual = new int[count];
                    for (int i = 0; i < count; i++) {
                        actual[i] = runs.get(i);
                    }
                    assertArrayEquals(expected, actual, threads + " threads, " + count + " tasks");
                }
            }
        }
    }

    @Test
    void aFailingTaskFailsTheCallAndThePoolStaysUsable() {
        try (Workers workers = new Workers(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> workers.parallelFor(500, i -> {
                if (i == 321) {
                    throw new IllegalStateException("task 321");
                }
            }));
            assertEquals("task 321", e.getMessage());
            AtomicIntegerArray runs = new AtomicIntegerArray(1);
            workers.parallelFor(64, i -> runs.incrementAndGet(0));
            assertEquals(64, runs.get(0));
        }
    }
}
