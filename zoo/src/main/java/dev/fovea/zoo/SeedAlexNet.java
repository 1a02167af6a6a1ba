package dev.fovea.zoo;

import static dev.fovea.annotations.Padding.SAME;

import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.Softmax;

/**
 * AlexNet as the Keras code of the seed lecture builds it: 227x227 input, no channel groups, no local
 * response normalisation, "same" padding from conv2 on, and a softmax head. Its Keras summary lists
 * 62,378,344 parameters.
 */
@Network(input = {3, 227, 227})
@Expect(params = 62_378_344, macs = 1_135_256_096L, output = 1000)
public interface SeedAlexNet {
    @Conv2d(filters = 96, kernel = 11, stride = 4) @ReLU Layer conv1();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool1();
    @Conv2d(filters = 256, kernel = 5, padding = SAME) @ReLU Layer conv2();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool2();
    @Conv2d(filters = 384, kernel = 3, padding = SAME) @ReLU Layer conv3();
    @Conv2d(filters = 384, kernel = 3, padding = SAME) @ReLU Layer conv4();
    @Conv2d(filters = 256, kernel = 3, padding = SAME) @ReLU Layer conv5();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool5();
    @Flatten Layer flatten();
    @Dense(units = 4096) @ReLU Layer fc6();
    @Dense(units = 4096) @ReLU Layer fc7();
    @Dense(units = 1000) @Softmax Layer fc8();
}
