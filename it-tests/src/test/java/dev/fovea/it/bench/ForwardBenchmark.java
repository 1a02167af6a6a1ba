package dev.fovea.it.bench;

import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.zoo.Zoo;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One forward pass of a zoo model, through its generated plan on the fast kernels, with random weights.
 * Run with the {@code bench} profile (see docs/PERFORMANCE.md); {@code -prof gc} shows the allocation per
 * pass, which should be none. The fork runs the JVM with the options {@code ./fovea} gives it where the
 * kernel offers transparent huge pages.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC", "-XX:+UseTransparentHugePages"})
public class ForwardBenchmark {
    @Param({"ResNet50", "ResNet18", "Vgg16", "GoogLeNet", "AlexNet", "MobileNetV1", "MobileNetV2"})
    public String model;

    @Param({"1", "16"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    private InferenceSession session;

    @Setup(Level.Trial)
    public void setUp() {
        Zoo zoo = Zoo.load();
        String name = zoo.find(model).orElseThrow();
        session = zoo.session(name, zoo.newParameters(name, 42), batch, threads);
        Random r = new Random(1);
        float[] input = session.input();
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextGaussian();
        }
    }

    @Benchmark
    public float[] forward() {
        return session.run();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
    }
}
