package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.optim.Adam;
import dev.fovea.runtime.optim.Optimizer;
import dev.fovea.runtime.train.Loss;
import dev.fovea.runtime.train.RbfLoss;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.zoo.Zoo;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The zoo's networks for small images learn: from PyTorch's initialisation, Adam drives the loss on
 * four random images with four labels towards its floor within 100 steps, and eval mode then
 * classifies all four correctly. LeNet-5 (1998) trains with its own criterion on its RBF penalties.
 * The large networks added for the seeds' remaining architectures take a few steps on two images at
 * their full input size, and the loss must fall by half.
 */
class OverfitTest {
    private static final int SAMPLES = 4;
    private static final int STEPS = 100;

    @TestFactory
    List<DynamicTest> smallNetworksFitFourSamples() {
        return List.of("LeNet", "LeNet5", "SeedLeNet", "ResNet20", "ResNet20Gray").stream()
                .map(model -> DynamicTest.dynamicTest(model, () -> fit(model))).toList();
    }

    @TestFactory
    List<DynamicTest> largeNetworksLowerTheLossOnTwoImages() {
        return List.of("Xception", "InceptionV3", "InceptionResNetV2", "EfficientNetB0", "ShuffleNetV2", "NasNetMobile").stream().map(model -> DynamicTest.dynamicTest(model, () -> lower(model))).toList();
    }

    private static void lower(String model) {
        Zoo zoo = Zoo.load();
        String name = zoo.find(model).orElseThrow();
        Parameters parameters = zoo.newParameters(name, 3);
        int[] labels = {3, 1};
        try (TrainingSession session = zoo.trainingSession(name, parameters, labels.length, 2)) {
            float[] images = randomImages(session.input().length);
            Optimizer adam = Adam.adam(parameters, session.gradients(), 1e-3);
            double first = session.step(images, labels, adam);
            double last = first;
            for (int i = 1; i < 6; i++) {
                last = session.step(images, labels, adam);
            }
            assertTrue(last < 0.5 * first, model + ": loss " + first + " -> " + last);
        }
    }

    private static void fit(String model) {
        Zoo zoo = Zoo.load();
        String name = zoo.find(model).orElseThrow();
        boolean rbf = model.equals("LeNet5");
        Parameters parameters = zoo.newParameters(name, 3);
        int[] labels = {3, 1, 7, 0};
        try (TrainingSession session = zoo.trainingSession(name, parameters, SAMPLES, 2)) {
            Loss loss = rbf ? new RbfLoss(1) : Loss.crossEntropy();
            session.loss(loss);
            float[] images = randomImages(session.input().length);
            Optimizer adam = Adam.adam(parameters, session.gradients(), 1e-3);
            double first = session.step(images, labels, adam);
            double last = first;
            for (int i = 1; i < STEPS; i++) {
                last = session.step(images, labels, adam);
            }
            // cross-entropy falls towards 0; the RBF criterion towards log(1 + e^-j)
            double floor = rbf ? Math.log(1 + Math.exp(-1)) : 0;
            assertTrue(last - floor < 0.05 * (first - floor), model + ": loss " + first + " -> " + last);
            float[] out = session.evaluate(images);
            int classes = out.length / SAMPLES;
            for (int b = 0; b < SAMPLES; b++) {
                int best = 0;
                for (int k = 1; k < classes; k++) {
                    float v = out[b * classes + k];
                    if (rbf ? v < out[b * classes + best] : v > out[b * classes + best]) {
                        best = k;
                    }
                }
                assertTrue(best == labels[b], model + ": sample " + b + " is taken for class " + best + " in eval mode, not " + labels[b]);
            }
        }
    }

    private static float[] randomImages(int length) {
        float[] images = new float[length];
        Random r = new Random(5);
        for (int i = 0; i < length; i++) {
            images[i] = (float) r.nextGaussian();
        }
        return images;
    }
}
