package dev.fovea.zoo;

import dev.fovea.annotations.AdaptiveAvgPool2d;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Dropout;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;

/**
 * AlexNet as torchvision builds it ("one weird trick" variant, 224x224): 64-192-384-256-256 channels,
 * overlapping 3x3 stride-2 pooling, no local response normalisation, dropout before each hidden dense
 * layer. Compare {@link SeedAlexNet}, the lecture's Keras version at 227x227.
 */
@Network(input = {3, 224, 224})
@Expect(params = 61_100_840, macs = 714_188_480L, output = 1000)
public interface AlexNet {
    @Conv2d(filters = 64, kernel = 11, stride = 4, padding = 2, name = "features.0") @ReLU Layer conv1();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool1();
    @Conv2d(filters = 192, kernel = 5, padding = 2, name = "features.3") @ReLU Layer conv2();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool2();
    @Conv2d(filters = 384, kernel = 3, padding = 1, name = "features.6") @ReLU Layer conv3();
    @Conv2d(filters = 256, kernel = 3, padding = 1, name = "features.8") @ReLU Layer conv4();
    @Conv2d(filters = 256, kernel = 3, padding = 1, name = "features.10") @ReLU Layer conv5();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool5();
    @AdaptiveAvgPool2d(output = 6) Layer avgpool();
    @Flatten Layer flatten();
    @Dropout @Dense(units = 4096, name = "classifier.1") @ReLU Layer fc6();
    @Dropout @Dense(units = 4096, name = "classifier.4") @ReLU Layer fc7();
    @Dense(units = 1000, name = "classifier.6") Layer fc8();
}
