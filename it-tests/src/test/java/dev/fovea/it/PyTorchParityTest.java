package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.onnx.OnnxExport;
import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.SafeTensors;
import dev.fovea.zoo.Zoo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * PyTorch's weights load into the zoo model of the same name and give PyTorch's logits, within 1e-4 of
 * the largest: torchvision models with seeded random weights (and random batch norm statistics) exported
 * by it-tests/scripts/pytorch_parity.py. SqueezeNet 1.1's fixture is committed; the larger models' are
 * made by that script when Debian's python3-torch and python3-torchvision are installed. The same weights,
 * exported to ONNX by Fovea, give PyTorch's logits in ONNX Runtime within the same bound.
 */
class PyTorchParityTest {
    private static final Path GENERATED = Path.of("target/parity");
    private static final Map<String, String> LARGE = Map.ofEntries(Map.entry("resnet18", "ResNet18"),
            Map.entry("mobilenet_v2", "MobileNetV2"), Map.entry("googlenet", "GoogLeNet"), Map.entry("densenet121", "DenseNet121"),
            Map.entry("convnext_tiny", "ConvNeXtTiny"), Map.entry("regnet_y_400mf", "RegNetY400MF"), Map.entry("vgg11_bn", "Vgg11Bn"),
            Map.entry("alexnet", "AlexNet"), Map.entry("inception_v3", "InceptionV3"), Map.entry("efficientnet_b0", "EfficientNetB0"),
            Map.entry("shufflenet_v2_x1_0", "ShuffleNetV2"));

    @Test
    void squeezeNetWithCommittedPyTorchWeights() throws Exception {
        Path dir = Path.of(PyTorchParityTest.class.getResource("/parity/squeezenet1_1.safetensors").toURI()).getParent();
        compare("SqueezeNet1_1", dir.resolve("squeezenet1_1.safetensors"), dir.resolve("squeezenet1_1.logits.safetensors"));
    }

    @TestFactory
    List<DynamicTest> largerModelsWhenPyTorchIsInstalled() {
        return LARGE.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> DynamicTest.dynamicTest(e.getValue(), () -> {
            assumeTrue(fixturesAvailable(), "python3-torch and python3-torchvision are not installed; only SqueezeNet 1.1 was compared");
            compare(e.getValue(), GENERATED.resolve(e.getKey() + ".safetensors"), GENERATED.resolve(e.getKey() + ".logits.safetensors"));
        })).toList();
    }

    private static Boolean available;

    /** Makes the fixtures once per run, if Debian's PyTorch can. */
    private static synchronized boolean fixturesAvailable() throws IOException, InterruptedException {
        if (available == null) {
            available = PyTorchScripts.installed();
            if (available) {
                List<String> args = new java.util.ArrayList<>(List.of(GENERATED.toString()));
                args.addAll(LARGE.keySet());
                available = PyTorchScripts.run("pytorch_parity.py", args, 10);
                assertTrue(available, "pytorch_parity.py failed though PyTorch is installed");
            }
        }
        return available;
    }

    private static void compare(String model, Path weights, Path logitsFile) throws Exception {
        Zoo zoo = Zoo.load();
        String name = zoo.find(model).orElseThrow();
        Parameters parameters = zoo.newParameters(name, 0);
        parameters.load(SafeTensors.read(weights), weights.toString());
        float[] expected = SafeTensors.read(logitsFile).get("logits").data();
        float[] actual;
        float[] input;
        try (InferenceSession session = zoo.session(name, parameters, 1, 2)) {
            ParityInput.fill(session.input());
            input = session.input().clone();
            actual = session.run().clone();
        }
        assertClose(model, "Fovea", actual, expected);
        // the same weights exported to ONNX give PyTorch's logits in ONNX Runtime too
        Path onnx = Files.createTempFile("fovea-parity", ".onnx");
        try {
            OnnxExport.write(zoo.graph(name), parameters, new OnnxExport.Provenance(name, weights.getFileName().toString()), onnx);
            assertClose(model, "ONNX Runtime on Fovea's export", OnnxExportTest.runInOnnxRuntime(onnx, input, 1, zoo.graph(name).input()),
                    expected);
        } finally {
            Files.deleteIfExists(onnx);
        }
    }

    private static void assertClose(String model, String engine, float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length, model + " logits");
        double largest = 0;
        for (float v : expected) {
            largest = Math.max(largest, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(actual[i] - expected[i]);
            assertTrue(error <= 1e-4 * largest, model + " logit " + i + ": " + engine + " " + actual[i] + ", PyTorch " + expected[i]
                    + " (largest " + largest + ")");
        }
    }

    /** The loader rejects what it should: a model's weights into another model name the first misfit. */
    @Test
    void weightsOfAnotherModelAreRejectedByName() throws Exception {
        Path dir = Path.of(PyTorchParityTest.class.getResource("/parity/squeezenet1_1.safetensors").toURI()).getParent();
        Map<String, LoadedTensor> squeezeNet = SafeTensors.read(dir.resolve("squeezenet1_1.safetensors"));
        Zoo zoo = Zoo.load();
        Parameters resnet = zoo.newParameters(zoo.find("ResNet18").orElseThrow(), 0);
        String message = org.junit.jupiter.api.Assertions.assertThrows(dev.fovea.runtime.weights.WeightsException.class,
                () -> resnet.load(squeezeNet, "squeezenet1_1.safetensors")).getMessage();
        assertTrue(message.contains("are these weights for another model?"), message);
    }
}
