package dev.fovea.zoo.cli;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How long a written cache line takes to reach another core: two threads pass a counter back and
 * forth, each waiting for the other's write. On a virtual machine this names where its two cores sit:
 * about 30 ns when they share a level-3 cache, 200 to 300 when they sit on different chiplets of an
 * AMD EPYC. Every layer's hand-over between threads pays it, and so does every tensor one core
 * writes and the other reads, so a benchmark's figures are comparable only between runs whose
 * cores sat alike.
 */
final class CoreToCore {
    /** Round trips of a probe: a few milliseconds even when the cores are far apart. */
    private static final int ROUND_TRIPS = 10_000;
    private static final int PROBES = 6;

    private CoreToCore() {}

    /**
     * Nanoseconds for one write to reach the other thread: the least of a few probes, since whatever else
     * runs (the compiler, a collector, a neighbour) only lengthens a probe. NaN on a single processor.
     */
    static double oneWayNanos() {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return Double.NaN; // both threads would share one core and take turns
        }
        double least = Double.POSITIVE_INFINITY;
        for (int i = 0; i < PROBES; i++) {
            least = Math.min(least, probe());
        }
        return least;
    }

    private static double probe() {
        AtomicInteger turn = new AtomicInteger(-1);
        Thread partner = Thread.ofPlatform().daemon().name("fovea-core-probe").start(() -> {
            turn.set(0); // running: the timing starts from here
            for (int i = 1; i < 2 * ROUND_TRIPS; i += 2) {
                while (turn.get() != i) {
                    Thread.onSpinWait();
                }
                turn.set(i + 1);
            }
        });
        while (turn.get() != 0) {
            Thread.onSpinWait();
        }
        long start = System.nanoTime();
        for (int i = 0; i < 2 * ROUND_TRIPS; i += 2) {
            while (turn.get() != i) {
                Thread.onSpinWait();
            }
            turn.set(i + 1);
        }
        while (turn.get() != 2 * ROUND_TRIPS) {
            Thread.onSpinWait();
        }
        long elapsed = System.nanoTime() - start;
        try {
            partner.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return elapsed / (2.0 * ROUND_TRIPS);
    }
}
