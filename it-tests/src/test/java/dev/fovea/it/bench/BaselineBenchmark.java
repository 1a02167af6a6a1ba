package dev.fovea.it.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Timed exactly as {@link ForwardBenchmark} is, without allocating: {@code nothing} shows what JMH's own
 * sampling allocates per operation; {@code spin} computes for about as long as a forward pass, to show
 * what the JVM allocates in the background per operation of that length, under {@code -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC", "-XX:+UseTransparentHugePages"})
public class BaselineBenchmark {
    private final float[] data = new float[16];

    @Benchmark
    public float[] nothing() {
        return data;
    }

    /** About 35 ms of arithmetic and no allocation. */
    @Benchmark
    public double spin() {
        long end = System.nanoTime() + 35_000_000L;
        double x = data[0];
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) {
                x = x * 0.999999 + 1e-9;
            }
        }
        return x;
    }
}
