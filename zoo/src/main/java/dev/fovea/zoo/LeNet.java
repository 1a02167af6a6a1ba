package dev.fovea.zoo;

import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;

/**
 * The common modern LeNet: LeNet-5's shape with ReLU, max pooling, full connections and a dense
 * output. (6*25+6) + (16*6*25+16) + (400*120+120) + (120*84+84) + (84*10+10) = 61,706 parameters.
 */
@Network(input = {1, 32, 32})
@Expect(params = 61_706, macs = 416_520, output = 10)
public interface LeNet {
    @Conv2d(filters = 6, kernel = 5) @ReLU Layer conv1();
    @MaxPool2d(kernel = 2) Layer pool1();
    @Conv2d(filters = 16, kernel = 5) @ReLU Layer conv2();
    @MaxPool2d(kernel = 2) Layer pool2();
    @Flatten Layer flatten();
    @Dense(units = 120) @ReLU Layer fc1();
    @Dense(units = 84) @ReLU Layer fc2();
    @Dense(units = 10) Layer fc3();
}
