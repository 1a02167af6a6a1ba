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
 * VGG-13 (Simonyan and Zisserman 2014, configuration B): 10 3x3 convolutions in five
 * stages, each closed by 2x2 max pooling, and three dense layers. Parameter names are torchvision's
 * ({@code features.0.weight}, {@code classifier.0.weight}).
 */
@Network(input = {3, 224, 224})
@Expect(params = 133_047_848, macs = 11_308_466_176L, output = 1000)
public interface Vgg13 {
    @Conv2d(filters = 64, kernel = 3, padding = 1, name = "features.0") @ReLU Layer conv1_1();
    @Conv2d(filters = 64, kernel = 3, padding = 1, name = "features.2") @ReLU Layer conv1_2();
    @MaxPool2d(kernel = 2) Layer pool1();
    @Conv2d(filters = 128, kernel = 3, padding = 1, name = "features.5") @ReLU Layer conv2_1();
    @Conv2d(filters = 128, kernel = 3, padding = 1, name = "features.7") @ReLU Layer conv2_2();
    @MaxPool2d(kernel = 2) Layer pool2();
    @Conv2d(filters = 256, kernel = 3, padding = 1, name = "features.10") @ReLU Layer conv3_1();
    @Conv2d(filters = 256, kernel = 3, padding = 1, name = "features.12") @ReLU Layer conv3_2();
    @MaxPool2d(kernel = 2) Layer pool3();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.15") @ReLU Layer conv4_1();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.17") @ReLU Layer conv4_2();
    @MaxPool2d(kernel = 2) Layer pool4();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.20") @ReLU Layer conv5_1();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.22") @ReLU Layer conv5_2();
    @MaxPool2d(kernel = 2) Layer pool5();
    @AdaptiveAvgPool2d(output = 7) Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 4096, name = "classifier.0") @ReLU @Dropout Layer fc6();
    @Dense(units = 4096, name = "classifier.3") @ReLU @Dropout Layer fc7();
    @Dense(units = 1000, name = "classifier.6") Layer fc8();
}
