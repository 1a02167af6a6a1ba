package dev.fovea.zoo.cli;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.optim.Optimizer;
import dev.fovea.runtime.optim.Sgd;
import dev.fovea.runtime.train.TrainingSession;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Times a model's forward pass, or a training step: warm-up until the JIT has compiled the kernels, then
 * timed runs for a fixed time, reported as latency percentiles, images per second and effective GFLOP/s
 * (2 x MACs per image for a forward pass, 6 x MACs for a training step: the forward pass and the two
 * products of the backward pass).
 */
final class Bench {
    /** The figures of one measurement; {@code what} is "forward" or "train". */
    /**
     * The timings, and the memory: the process's peak resident set and the heap its live objects used after the runs;
     * with more than one thread, how long a cache line took to pass between two threads after them ({@link CoreToCore},
     * NaN when not measured).
     */
    record Result(String model, String what, int batch, int threads, int runs, double medianMs, double p90Ms, double minMs,
            double imagesPerSecond, double gflops, double peakResidentMib, double liveHeapMib, double coreToCoreNs) {
        String json() {
            return String.format(Locale.ROOT, "{\"model\": \"%s\", \"mode\": \"%s\", \"batch\": %d, \"threads\": %d, \"runs\": %d, "
                    + "\"median_ms\": %.3f, \"p90_ms\": %.3f, \"min_ms\": %.3f, \"images_per_s\": %.2f, \"gflops\": %.2f, "
                    + "\"peak_resident_mib\": %.1f, \"live_heap_mib\": %.1f, \"core_to_core_ns\": %s}", model, what, batch, threads, runs,
                    medianMs, p90Ms, minMs, imagesPerSecond, gflops, peakResidentMib, liveHeapMib,
                    Double.isNaN(coreToCoreNs) ? "null" : String.format(Locale.ROOT, "%.1f", coreToCoreNs));
        }

        String text() {
            return String.format(Locale.ROOT, "%s%s, batch %d, %d thread%s: median %.2f ms, p90 %.2f ms, min %.2f ms (%d runs); "
                    + "%.1f images/s, %.1f GFLOP/s%nMemory: %s peak resident, %.0f MiB of live heap", model,
                    what.equals("train") ? " training step" : "", batch, threads, threads == 1 ? "" : "s", medianMs, p90Ms, minMs, runs,
                    imagesPerSecond, gflops, peakResidentMib < 0 ? "unknown" : String.format(Locale.ROOT, "%.0f MiB", peakResidentMib),
                    liveHeapMib) + (Double.isNaN(coreToCoreNs) ? ""
                            : String.format(Locale.ROOT, "%nBetween cores: a cache line passes in %.0f ns", coreToCoreNs));
        }
    }

    private Bench() {}

    static Result run(String model, ModelInfo info, InferenceSession session, double warmupSeconds, double measureSeconds) {
        randomize(session.input(), 1);
        return time(model, "forward", session.batch(), session.threads(), session::run, 2.0 * info.macs(), warmupSeconds, measureSeconds);
    }

    /** SGD with momentum on random images and labels: what the seeds train with. */
    static Result train(String model, ModelInfo info, TrainingSession session, double warmupSeconds, double measureSeconds) {
        Batch batch = Batch.random(session, info);
        Optimizer sgd = sgd(session);
        return time(model, "train", session.batch(), session.threads(), () -> session.step(batch.images, batch.labels, sgd),
                6.0 * info.macs(), warmupSeconds, measureSeconds);
    }

    static Optimizer sgd(TrainingSession session) {
        return Sgd.withMomentum(session.parameters(), session.gradients(), 0.01, 0.9, 1e-4);
    }

    /** A batch of random images and labels. */
    record Batch(float[] images, int[] labels) {
        static Batch random(TrainingSession session, ModelInfo info) {
            float[] images = new float[session.input().length];
            randomize(images, 1);
            int[] labels = new int[session.batch()];
            Random r = new Random(2);
            for (int i = 0; i < labels.length; i++) {
                labels[i] = r.nextInt((int) info.output().elements());
            }
            return new Batch(images, labels);
        }
    }

    private static void randomize(float[] values, long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) r.nextGaussian();
        }
    }

    private static Result time(String model, String what, int batch, int threads, Runnable once, double flopsPerImage, double warmupSeconds,
            double measureSeconds) {
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        int warmups = 0;
        while (System.nanoTime() < warmupEnd || warmups < 3) {
            once.run();
            warmups++;
        }
        double[] times = new double[100_000];
        int runs = 0;
        long measureEnd = System.nanoTime() + (long) (measureSeconds * 1e9);
        while ((System.nanoTime() < measureEnd || runs < 5) && runs < times.length) {
            long t0 = System.nanoTime();
            once.run();
            times[runs++] = (System.nanoTime() - t0) / 1e6;
        }
        double[] sorted = Arrays.copyOf(times, runs);
        Arrays.sort(sorted);
        double median = sorted[runs / 2];
        double p90 = sorted[Math.min(runs - 1, (int) Math.ceil(0.9 * runs) - 1)];
        return new Result(model, what, batch, threads, runs, median, p90, sorted[0], batch * 1000.0 / median,
                flopsPerImage * batch / (median * 1e6), ProcessMemory.peakResidentMib(), ProcessMemory.liveHeapMib(),
                threads > 1 ? CoreToCore.oneWayNanos() : Double.NaN);
    }
}
