package dev.fovea.zoo.cli;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.exec.InferenceSession;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Times a model's forward pass: warm-up until the JIT has compiled the kernels, then timed runs for a
 * fixed time, reported as latency percentiles, images per second and effective GFLOP/s (2 x MACs / time).
 */
final class Bench {
    /** The figures of one measurement. */
    record Result(String model, int batch, int threads, int runs, double medianMs, double p90Ms, double minMs, double imagesPerSecond,
            double gflops) {
        String json() {
            return String.format(Locale.ROOT, "{\"model\": \"%s\", \"batch\": %d, \"threads\": %d, \"runs\": %d, \"median_ms\": %.3f, "
                    + "\"p90_ms\": %.3f, \"min_ms\": %.3f, \"images_per_s\": %.2f, \"gflops\": %.2f}", model, batch, threads, runs, medianMs,
                    p90Ms, minMs, imagesPerSecond, gflops);
        }

        String text() {
            return String.format(Locale.ROOT, "%s, batch %d, %d thread%s: median %.2f ms, p90 %.2f ms, min %.2f ms (%d runs); "
                    + "%.1f images/s, %.1f GFLOP/s", model, batch, threads, threads == 1 ? "" : "s", medianMs, p90Ms, minMs, runs,
                    imagesPerSecond, gflops);
        }
    }

    private Bench() {}

    static Result run(String model, ModelInfo info, InferenceSession session, double warmupSeconds, double measureSeconds) {
        Random r = new Random(1);
        float[] input = session.input();
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextGaussian();
        }
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        int warmups = 0;
        while (System.nanoTime() < warmupEnd || warmups < 3) {
            session.run();
            warmups++;
        }
        double[] times = new double[100_000];
        int runs = 0;
        long measureEnd = System.nanoTime() + (long) (measureSeconds * 1e9);
        while ((System.nanoTime() < measureEnd || runs < 5) && runs < times.length) {
            long t0 = System.nanoTime();
            session.run();
            times[runs++] = (System.nanoTime() - t0) / 1e6;
        }
        double[] sorted = Arrays.copyOf(times, runs);
        Arrays.sort(sorted);
        double median = sorted[runs / 2];
        double p90 = sorted[Math.min(runs - 1, (int) Math.ceil(0.9 * runs) - 1)];
        int batch = session.batch();
        return new Result(model, batch, session.threads(), runs, median, p90, sorted[0], batch * 1000.0 / median,
                2.0 * info.macs() * batch / (median * 1e6));
    }
}
