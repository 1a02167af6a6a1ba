package dev.fovea.it.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
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
 * ONNX Runtime's Java API on the same networks, timed as {@link ForwardBenchmark} is: the peer to beat.
 * The ONNX files come from it-tests/scripts/export_onnx.py (torchvision's models, random weights, a fixed
 * batch: {@code resnet50.onnx} for 1, {@code resnet50-b16.onnx} for 16 with {@code --batch 16});
 * {@code -Donnx.dir} says where. Only the bench profile compiles this and depends on ONNX Runtime.
 * With {@code -Donnx.profile=DIR} ONNX Runtime also writes its own profile of every run, node by node, into
 * DIR (a JSON file per trial, named on standard output) for it-tests/scripts/ort_profile_summary.py to
 * set beside {@code fovea bench --profile --layers}; the timings of such a run carry the profiler's cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1)
public class OnnxRuntimeBenchmark {
    @Param({"resnet50", "resnet18", "vgg16", "googlenet", "alexnet", "mobilenet_v1", "mobilenet_v2"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    @Param({"1"})
    public int batch;

    private OrtSession session;
    private OnnxTensor input;
    private Map<String, OnnxTensor> inputs;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        String profile = System.getProperty("onnx.profile");
        if (profile != null) {
            options.enableProfiling(Path.of(profile, model + "-b" + batch).toString());
        }
        Path file = Path.of(System.getProperty("onnx.dir", "target/onnx"), batch == 1 ? model + ".onnx" : model + "-b" + batch + ".onnx");
        session = env.createSession(file.toString(), options);
        float[] data = new float[batch * 3 * 224 * 224];
        Random r = new Random(1);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian();
        }
        input = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {batch, 3, 224, 224});
        inputs = Map.of("input", input);
    }

    @Benchmark
    public float forward() throws OrtException {
        try (OrtSession.Result result = session.run(inputs)) {
            return ((float[][]) result.get(0).getValue())[0][0];
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        if (System.getProperty("onnx.profile") != null) {
            System.out.println("ONNX Runtime's profile: " + session.endProfiling());
        }
        input.close();
        session.close();
    }
}
