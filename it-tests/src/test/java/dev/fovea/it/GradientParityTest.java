package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.SafeTensors;
import dev.fovea.zoo.Zoo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * One training-mode forward and backward of zoo models against PyTorch's (it-tests/scripts/
 * pytorch_gradients.py, with Debian's python3-torch): batch statistics, dropout off, mean softmax
 * cross-entropy over a batch of two 224x224 images, and of 16 for ResNet-18 (whose 3x3 convolutions then take
 * the samples in vector lanes and run by Winograd's transforms). PyTorch's own float32 gradients of batch-normalised
 * networks differ from its float64 ones by 1e-3 to 1e-1 of a tensor, so the reference is float64 and
 * Fovea is held to PyTorch float32's accuracy: the loss within 1e-5 of float64's; every tensor's
 * gradient error (a norm ratio against float64, the norm at least 1e-3 of all gradients' norm) at most
 * 4 times PyTorch float32's worst tensor (floor 1e-4); all gradients together at most 4 times PyTorch
 * float32's (floor 1e-5). A wrong backward pass
 * misses by orders of magnitude.
 */
class GradientParityTest {
    private static final Path GENERATED = Path.of("target/gradients");
    private static final Map<String, String> MODELS = new TreeMap<>(Map.of("resnet18", "ResNet18", "mobilenet_v2", "MobileNetV2",
            "densenet121", "DenseNet121", "googlenet", "GoogLeNet", "convnext_tiny", "ConvNeXtTiny", "regnet_y_400mf", "RegNetY400MF",
            "squeezenet1_0", "SqueezeNet1_0", "vgg11_bn", "Vgg11Bn", "resnext50_32x4d", "ResNeXt50_32x4d",
            "resnet18@16", "ResNet18"));

    @TestFactory
    List<DynamicTest> gradientsMatchPyTorchInFloat64() {
        return MODELS.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getValue(), () -> {
            assumeTrue(fixturesAvailable(), "python3-torch and python3-torchvision are not installed");
            compare(e.getKey(), e.getValue());
        })).toList();
    }

    private static void compare(String torchName, String model) {
        Zoo zoo = Zoo.load();
        String name = zoo.find(model).orElseThrow();
        Parameters parameters = zoo.newParameters(name, 0);
        Path weights = GENERATED.resolve(torchName + ".safetensors");
        parameters.load(SafeTensors.read(weights), weights.toString());
        Map<String, LoadedTensor> batch = SafeTensors.read(GENERATED.resolve(torchName + ".batch.safetensors"));
        float[] labelValues = batch.get("labels").data();
        int[] labels = new int[labelValues.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (int) labelValues[i];
        }
        Map<String, LoadedTensor> exact = SafeTensors.read(GENERATED.resolve(torchName + ".grad64.safetensors"));
        Map<String, LoadedTensor> pytorch32 = SafeTensors.read(GENERATED.resolve(torchName + ".grad32.safetensors"));
        double loss;
        Map<String, float[]> ours = new TreeMap<>();
        try (TrainingSession session = zoo.trainingSession(name, parameters, labels.length, 2)) {
            session.dropout(false);
            loss = session.forwardBackward(batch.get("input").data(), labels);
            for (String tensor : session.gradients().names()) {
                ours.put(tensor, session.gradients().get(tensor).clone());
            }
        }
        double expectedLoss = exact.get("loss").data()[0];
        assertTrue(Math.abs(loss - expectedLoss) <= 1e-5 * Math.abs(expectedLoss), model + " loss " + loss + ", PyTorch float64 " + expectedLoss);
        assertEquals(exact.size() - 1, ours.size(), model + ": trainable tensors");

        double worst32 = 0;
        double[] all = new double[3]; // squared error of Fovea, of PyTorch float32, norm of the reference
        List<String> errors = new ArrayList<>();
        Map<String, Double> oursByTensor = new TreeMap<>();
        double referenceNorm = 0;
        for (String tensor : ours.keySet()) {
            for (float v : exact.get(tensor).data()) {
                referenceNorm += sq(v);
            }
        }
        // A bias before batch norm has a gradient of exactly 0; its rounding noise is measured against the whole.
        double floor = 1e-3 * Math.sqrt(referenceNorm);
        for (Map.Entry<String, float[]> e : ours.entrySet()) {
            LoadedTensor reference = exact.get(e.getKey());
            assertTrue(reference != null, model + ": PyTorch has no gradient named " + e.getKey());
            float[] ref = reference.data();
            float[] theirs = pytorch32.get(e.getKey()).data();
            double[] sums = new double[3];
            for (int i = 0; i < ref.length; i++) {
                sums[0] += sq(e.getValue()[i] - ref[i]);
                sums[1] += sq(theirs[i] - ref[i]);
                sums[2] += sq(ref[i]);
            }
            for (int k = 0; k < 3; k++) {
                all[k] += sums[k];
            }
            double norm = Math.max(Math.sqrt(sums[2]), floor);
            worst32 = Math.max(worst32, Math.sqrt(sums[1]) / norm);
            oursByTensor.put(e.getKey(), Math.sqrt(sums[0]) / norm);
        }
        double bound = 4 * Math.max(worst32, 1e-4);
        oursByTensor.forEach((tensor, error) -> {
            if (error > bound) {
                errors.add(tensor + " " + error);
            }
        });
        assertTrue(errors.isEmpty(), model + ": gradients beyond " + bound + " (4x PyTorch float32's worst tensor): " + errors);
        double overall = Math.sqrt(all[0] / all[2]);
        double overall32 = Math.sqrt(all[1] / all[2]);
        assertTrue(overall <= 4 * Math.max(overall32, 1e-5), model + ": all gradients off by " + overall + ", PyTorch float32 by " + overall32);
        System.out.printf("%s: loss %.7f (float64 %.7f); gradient error %.2e overall, %.2e worst tensor; PyTorch float32 %.2e, %.2e%n", model,
                loss, expectedLoss, overall, oursByTensor.values().stream().mapToDouble(Double::doubleValue).max().orElse(0), overall32,
                worst32);
    }

    private static double sq(double v) {
        return v * v;
    }

    private static Boolean available;

    /** Makes the fixtures once per run, if Debian's PyTorch can. */
    private static synchronized boolean fixturesAvailable() throws IOException, InterruptedException {
        if (available == null) {
            available = false;
            boolean made = MODELS.keySet().stream().allMatch(m -> Files.isRegularFile(GENERATED.resolve(m + ".grad32.safetensors")));
            if (made) {
                available = true; // this build made them already: target/ is new in every clean build
            } else if (PyTorchScripts.installed()) {
                List<String> args = new ArrayList<>(List.of(GENERATED.toString()));
                args.addAll(MODELS.keySet());
                available = PyTorchScripts.run("pytorch_gradients.py", args, 15);
                assertTrue(available, "pytorch_gradients.py failed though PyTorch is installed");
            }
        }
        return available;
    }
}
