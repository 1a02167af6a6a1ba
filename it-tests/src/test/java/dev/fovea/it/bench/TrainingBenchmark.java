package dev.fovea.it.bench;

import dev.fovea.runtime.optim.Optimizer;
import dev.fovea.runtime.optim.Sgd;
import dev.fovea.runtime.train.TrainingSession;
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
 * One training step of a zoo model (forward, softmax cross-entropy, backward, SGD with momentum 0.9 and
 * weight decay 1e-4, as {@code fovea bench --train}), with random weights, images and labels. Run with
 * the {@code bench} profile (see docs/PERFORMANCE.md); {@code -prof gc} shows the allocation per step,
 * which should be none.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC", "-XX:+UseTransparentHugePages"})
public class TrainingBenchmark {
    @Param({"LeNet", "ResNet20Gray", "ResNet18"})
    public String model;

    @Param({"64"})
    public int batch;

    @Param({"2"})
    public int threads;

    private TrainingSession session;
    private Optimizer sgd;
    private float[] images;
    private int[] labels;

    @Setup(Level.Trial)
    public void setUp() {
        Zoo zoo = Zoo.load();
        String name = zoo.find(model).orElseThrow();
        session = zoo.trainingSession(name, zoo.newParameters(name, 42), batch, threads);
        sgd = Sgd.withMomentum(session.parameters(), session.gradients(), 0.01, 0.9, 1e-4);
        Random r = new Random(1);
        images = new float[session.input().length];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) r.nextGaussian();
        }
        int classes = session.logits().length / batch;
        labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = r.nextInt(classes);
        }
    }

    @Benchmark
    public double step() {
        return session.step(images, labels, sgd);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
    }
}
