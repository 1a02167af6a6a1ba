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
 * VGG-19 (Simonyan and Zisserman 2014, configuration E) with batch norm after every convolution: 16 3x3 convolutions in five
 * stages, each closed by 2x2 max pooling, and three dense layers. Parameter names are torchvision's
 * ({@code features.0.weight}, {@code classifier.0.weight}).
 */
@Network(input = {3, 224, 224})
@Expect(params = 143_678_248, macs = 19_632_062_464L, output = 1000)
public interface Vgg19Bn {
    @Conv2d(filters = 64, kernel = 3, padding = 1, name = "features.0") @BatchNorm(name = "features.1") @ReLU Layer conv1_1();
    @Conv2d(filters = 64, kernel = 3, padding = 1, name = "features.3") @BatchNorm(name = "features.4") @ReLU Layer conv1_2();
    @MaxPool2d(kernel = 2) Layer pool1();
    @Conv2d(filters = 128, kernel = 3, padding = 1, name = "features.7") @BatchNorm(name = "features.8") @ReLU Layer conv2_1();
    @Conv2d(filters = 128, kernel = 3, padding = 1, name = "features.10") @BatchNorm(name = "features.11") @ReLU Layer conv2_2();
    @MaxPool2d(kernel = 2) Layer pool2();
    @Conv2d(filters = 256, kernel = 3, padding = 1, name = "features.14") @BatchNorm(name = "features.15") @ReLU Layer conv3_1();
    @Conv2d(filters = 256, kernel = 3, padding = 1, name = "features.17") @BatchNorm(name = "features.18") @ReLU Layer conv3_2();
    @Conv2d(filters = 256, kernel = 3, padding = 1, name = "features.20") @BatchNorm(name = "features.21") @ReLU Layer conv3_3();
    @Conv2d(filters = 256, kernel = 3, padding = 1, name = "features.23") @BatchNorm(name = "features.24") @ReLU Layer conv3_4();
    @MaxPool2d(kernel = 2) Layer pool3();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.27") @BatchNorm(name = "features.28") @ReLU Layer conv4_1();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.30") @BatchNorm(name = "features.31") @ReLU Layer conv4_2();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.33") @BatchNorm(name = "features.34") @ReLU Layer conv4_3();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.36") @BatchNorm(name = "features.37") @ReLU Layer conv4_4();
    @MaxPool2d(kernel = 2) Layer pool4();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.40") @BatchNorm(name = "features.41") @ReLU Layer conv5_1();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.43") @BatchNorm(name = "features.44") @ReLU Layer conv5_2();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.46") @BatchNorm(name = "features.47") @ReLU Layer conv5_3();
    @Conv2d(filters = 512, kernel = 3, padding = 1, name = "features.49") @BatchNorm(name = "features.50") @ReLU Layer conv5_4();
    @MaxPool2d(kernel = 2) Layer pool5();
    @AdaptiveAvgPool2d(output = 7) Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 4096, name = "classifier.0") @ReLU @Dropout Layer fc6();
    @Dense(units = 4096, name = "classifier.3") @ReLU @Dropout Layer fc7();
    @Dense(units = 1000, name = "classifier.6") Layer fc8();
}
