package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.fovea.onnx.OnnxExport;
import dev.fovea.runtime.Shape;
import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.exec.PlanBuilder;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.weights.Parameters;
import java.lang.reflect.Method;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every zoo model exports to ONNX, and ONNX Runtime, an engine written apart from ours, runs the export
 * at batch 1 and 3 to Fovea's outputs within 1e-4 (relative to the largest output, as the fast path is
 * held to the reference path), on random weights and random batch-norm statistics.
 */
class OnnxExportTest {
    private static final OrtEnvironment ORT = OrtEnvironment.getEnvironment();

    @TestFactory
    List<DynamicTest> everyModelExportsAndRunsInOnnxRuntime() {
        return ZooReports.networks().stream()
                .map(name -> DynamicTest.dynamicTest(name.substring(name.lastIndexOf('.') + 1), () -> check(name)))
                .toList();
    }

    private static void check(String network) throws Exception {
        Class<?> model = Class.forName(network + "Model");
        Parameters p = (Parameters) model.getMethod("newParameters", long.class).invoke(null, 42L);
        ForwardPassTest.randomizeNorms(p, new Random(1));
        NetworkGraph graph = (NetworkGraph) model.getField("GRAPH").get(null);
        Path onnx = Files.createTempFile("fovea-export", ".onnx");
        try {
            OnnxExport.write(graph, p, new OnnxExport.Provenance(network, "initialised, seed 42"), onnx);
            compare(network, model, p, graph.input(), onnx);
        } finally {
            Files.deleteIfExists(onnx);
        }
    }

    private static void compare(String network, Class<?> model, Parameters p, Shape input, Path onnx) throws Exception {
        Method session = model.getMethod("session", Parameters.class, int.class, int.class, PlanBuilder.Mode.class);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2);
            try (OrtSession ort = ORT.createSession(onnx.toString(), options)) {
                assertEquals(network, ort.getMetadata().getCustomMetadata().get("fovea.network"), "the export's provenance");
                for (int batch : new int[] {1, 3}) {
                    float[] x = randomInput(batch * (int) input.elements(), batch);
                    float[] fovea;
                    try (InferenceSession s = (InferenceSession) session.invoke(null, p, batch, 2, PlanBuilder.Mode.FAST)) {
                        fovea = s.run(x).clone();
                    }
                    compare(network, batch, fovea, run(ort, x, batch, input));
                }
            }
        }
    }

    private static float[] randomInput(int size, long seed) {
        Random r = new Random(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** Runs the ONNX model in {@code file} on {@code x}, a batch of {@code batch} samples of {@code input}'s shape. */
    static float[] runInOnnxRuntime(Path file, float[] x, int batch, Shape input) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2);
            try (OrtSession ort = ORT.createSession(file.toString(), options)) {
                return run(ort, x, batch, input);
            }
        }
    }

    private static float[] run(OrtSession ort, float[] x, int batch, Shape input) throws OrtException {
        long[] shape = new long[input.rank() + 1];
        shape[0] = batch;
        for (int i = 0; i < input.rank(); i++) {
            shape[i + 1] = input.dim(i);
        }
        try (OnnxTensor tensor = OnnxTensor.createTensor(ORT, FloatBuffer.wrap(x), shape);
                OrtSession.Result result = ort.run(Map.of(NetworkGraph.INPUT, tensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }

    private static void compare(String network, int batch, float[] fovea, float[] ort) {
        String simple = network.substring(network.lastIndexOf('.') + 1);
        assertEquals(fovea.length, ort.length, simple + " at batch " + batch + ": output sizes");
        double scale = 0;
        for (float v : ort) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < fovea.length; i++) {
            assertTrue(Math.abs(fovea[i] - ort[i]) <= 1e-4 * (Math.abs(ort[i]) + scale), simple + " at batch " + batch + ", output " + i
                    + ": Fovea " + fovea[i] + ", ONNX Runtime " + ort[i] + " (largest output " + scale + ")");
        }
    }
}
