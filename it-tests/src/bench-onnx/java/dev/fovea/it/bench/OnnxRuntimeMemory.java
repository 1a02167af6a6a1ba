package dev.fovea.it.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * ONNX Runtime's side of {@code fovea bench}'s memory line: loads an ONNX file as
 * {@link OnnxRuntimeBenchmark} does (all graph optimisations, intra-op threads as given), runs batch-1
 * inferences for some seconds, and prints the median time and the process's peak resident memory
 * (Linux's VmHWM). ONNX Runtime keeps its weights and buffers outside the Java heap, so run it with a
 * small heap, as one would:
 *
 * <pre>
 *   java -Xmx64m -cp CLASSPATH dev.fovea.it.bench.OnnxRuntimeMemory resnet50.onnx 2 6
 * </pre>
 */
public final class OnnxRuntimeMemory {
    private OnnxRuntimeMemory() {}

    public static void main(String[] args) throws OrtException, IOException {
        Path file = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        try (OrtSession session = env.createSession(file.toString(), options)) {
            float[] data = new float[3 * 224 * 224];
            Random r = new Random(1);
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) r.nextGaussian();
            }
            try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {1, 3, 224, 224})) {
                Map<String, OnnxTensor> inputs = Map.of("input", input);
                double[] times = new double[100_000];
                int runs = 0;
                long end = System.nanoTime() + (long) (seconds * 1e9);
                while (System.nanoTime() < end && runs < times.length) {
                    long t0 = System.nanoTime();
                    try (OrtSession.Result result = session.run(inputs)) {
                        times[runs++] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                double[] sorted = Arrays.copyOf(times, runs);
                Arrays.sort(sorted);
                System.out.printf(java.util.Locale.ROOT, "%s, batch 1, %d threads: median %.2f ms (%d runs)%nMemory: %s peak resident%n",
                        file.getFileName(), threads, sorted[runs / 2], runs, peakResident());
            }
        }
    }

    private static String peakResident() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                .map(l -> Long.parseLong(l.substring(6).strip().split("\\s+")[0]) / 1024 + " MiB").findFirst().orElse("unknown");
    }
}
