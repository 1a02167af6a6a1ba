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

    /**
     * Back-to-back jobs of alternating sizes: a helper that wakes late must not run a new job's body on
     * indices it claimed from the old job's exhausted counter (the new job would then run them twice).
     */
    @Test
    void lateHelpersNeverRunAnIndexTwiceAcrossJobs() throws InterruptedException {
        int jobs = 200_000;
        AtomicIntegerArray[] runs = new AtomicIntegerArray[jobs];
        try (Workers workers = new Workers(3)) {
            for (int j = 0; j < jobs; j++) {
                int count = j % 2 == 0 ? 2 : 40;
                AtomicIntegerArray r = new AtomicIntegerArray(count);
                runs[j] = r;
                workers.parallelFor(count, r::incrementAndGet);
            }
            Thread.sleep(50);
        }
        for (int j = 0; j < jobs; j++) {
            for (int i = 0; i < runs[j].length(); i++) {
                assertEquals(1, runs[j].get(i), "job " + j + ", index " + i);
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
