package dev.fovea.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.runtime.data.Augmentation;
import dev.fovea.runtime.data.DataSources;
import dev.fovea.runtime.data.Dataset;
import dev.fovea.runtime.data.Loader;
import dev.fovea.runtime.data.Transform;
import dev.fovea.runtime.fit.EpochResult;
import dev.fovea.runtime.fit.Trainer;
import dev.fovea.runtime.optim.Schedule;
import dev.fovea.runtime.optim.Sgd;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.zoo.Zoo;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The zoo's LeNet learns real data: three epochs over the first 12,000 images of Debian's Fashion-MNIST
 * (SGD with momentum, cosine schedule, batch 64, inputs padded to 32 x 32 and normalised) classify at
 * least 83% (86% here) of the first 2,000 test images, with the loss falling from epoch to epoch.
 */
class FashionMnistTrainingTest {
    @Test
    void leNetLearnsASliceOfFashionMnist() {
        assumeTrue(Files.isDirectory(DataSources.DEBIAN_FASHION_MNIST), "Fashion-MNIST is not installed: " + DataSources.INSTALL_FASHION_MNIST);
        Zoo zoo = Zoo.load();
        String name = zoo.find("LeNet").orElseThrow();
        DataSources.Splits data = DataSources.open("fashion-mnist", zoo.info(name).input());
        Dataset train = data.train().limit(12000);
        Dataset test = data.test().limit(2000);
        assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
                train.classes());
        List<Transform> fit = Augmentation.fit(train.sampleShape(), zoo.info(name).input());
        Transform.Normalize norm = Augmentation.statistics(train, new Augmentation(train.sampleShape(), fit));
        List<Transform> transforms = new ArrayList<>(fit);
        transforms.add(norm);
        Augmentation pipeline = new Augmentation(train.sampleShape(), transforms);
        Parameters parameters = zoo.newParameters(name, 1);
        try (TrainingSession session = zoo.trainingSession(name, parameters, 64, 2)) {
            Loader trainLoader = new Loader(train, pipeline, 64, true, true, 1);
            Sgd sgd = new Sgd(parameters, session.gradients(), 0.05, 0.9, 5e-4, false, true);
            Trainer trainer = Trainer.builder(session, sgd, trainLoader).epochs(3)
                    .schedule(Schedule.cosine(0.05, 3L * trainLoader.batchesPerEpoch(), 0))
                    .test(new Loader(test, pipeline, 64, false, false, 1)).build();
            List<EpochResult> h = trainer.fit();
            assertTrue(h.get(2).trainLoss() < h.get(1).trainLoss() && h.get(1).trainLoss() < h.get(0).trainLoss(), h.toString());
            assertTrue(h.get(2).testLoss() < h.get(0).testLoss(), h.toString());
            assertTrue(h.get(2).testTop1() >= 0.83, h.toString());
            assertTrue(h.get(2).testTop5() >= 0.98, h.toString());
        }
    }
}
