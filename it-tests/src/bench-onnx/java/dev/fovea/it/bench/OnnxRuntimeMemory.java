package dev.fovea.it.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * ONNX Runtime's side of {@code fovea bench}'s time and memory lines: loads an ONNX file as
 * {@link OnnxRuntimeBenchmark} does (all graph optimisations, intra-op threads as given), runs inferences
 * at the batch the file was exported for (export_onnx.py's {@code --batch}) for a third of the given
 * seconds untimed and then for the seconds themselves, and prints the median time and the process's peak
 * resident memory (Linux's VmHWM). It needs nothing but ONNX Runtime's jar, so it runs as a source file.
 * ONNX Runtime keeps its weights and buffers outside the Java heap, so run it with a small heap, as one would:
 *
 * <pre>
 *   java -Xmx64m -cp ~/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.29.0/onnxruntime-1.29.0.jar \
 *       it-tests/src/bench-onnx/java/dev/fovea/it/bench/OnnxRuntimeMemory.java /tmp/onnx/resnet50-b16.onnx 2 6
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
            String name = session.getInputNames().iterator().next();
            long[] shape = ((TensorInfo) session.getInputInfo().get(name).getInfo()).getShape();
            int batch = shape[0] > 0 ? (int) shape[0] : 1; // a dynamic batch runs one image
            float[] data = new float[batch * 3 * 224 * 224];
            Random r = new Random(1);
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) r.nextGaussian();
            }
            try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {batch, 3, 224, 224})) {
                Map<String, OnnxTensor> inputs = Map.of(name, input);
                long warm = System.nanoTime() + (long) (seconds / 3 * 1e9);
                while (System.nanoTime() < warm) {
                    session.run(inputs).close();
                }
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
                System.out.printf(java.util.Locale.ROOT, "%s, batch %d, %d threads: median %.2f ms (%d runs)%nMemory: %s peak resident%n",
                        file.getFileName(), batch, threads, sorted[runs / 2], runs, peakResident());
            }
        }
    }

    private static String peakResident() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                .map(l -> Long.parseLong(l.substring(6).strip().split("\\s+")[0]) / 1024 + " MiB").findFirst().orElse("unknown");
    }
}
