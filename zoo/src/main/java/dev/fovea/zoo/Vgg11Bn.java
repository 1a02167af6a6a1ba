package dev.fovea.zoo;

import dev.fovea.annotations.AdaptiveAvgPool2d;
import dev.fovea.annotations.BatchNorm;
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
 * VGG-11 (Simonyan and Zisserman 2014, configuration A) with batch norm after every convolution: 8 3x3 convolutions in five
 * stages, each closed by 2x2 max pooling, and three dense layers. Parameter names are torchvision's
 * ({@code features.0.weight}, {@code classifier.0.weight}).
 */
@Network(input = {3, 224, 224})
@Expect(params = 132_868_840, macs = 7_609_090_048L, output = 1000)
public interface Vgg11Bn {
    @Conv2d(filters = 64, kernel = 3, padding = 1, name = "features.0") @BatchNorm(name = "features.1") @ReLU Layer conv1_1();
    @MaxPool2d(kernel = 2) Layer pool1();
    @Conv2d(filters = 128, kernel = 3, padding = 1, name = "features.4") @BatchNorm(name = "features.5") @ReLU Layer conv2_1();
    @MaxPool2d(kernel = 2) Layer pool2();
    @Conv2d(filters = 256, kernel = 3, padding = 1, name = "features.8") @BatchNorm(name = "features.9") @ReLU Layer conv3_1();
    @Conv2d(filters = 256, kernel = 3, padding = 1, name = "features.11") @BatchNorm(name = "features.12") @ReLU Layer conv3_2();
    @MaxPool2d(kernel = 2) Layer pool3();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.15") @BatchNorm(name = "features.16") @ReLU Layer conv4_1();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.18") @BatchNorm(name = "features.19") @ReLU Layer conv4_2();
    @MaxPool2d(kernel = 2) Layer pool4();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.22") @BatchNorm(name = "features.23") @ReLU Layer conv5_1();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.25") @BatchNorm(name = "features.26") @ReLU Layer conv5_2();
    @MaxPool2d(kernel = 2) Layer pool5();
    @AdaptiveAvgPool2d(output = 7) Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 4096, name = "classifier.0") @ReLU @Dropout Layer fc6();
    @Dense(units = 4096, name = "classifier.3") @ReLU @Dropout Layer fc7();
    @Dense(units = 1000, name = "classifier.6") Layer fc8();
}
