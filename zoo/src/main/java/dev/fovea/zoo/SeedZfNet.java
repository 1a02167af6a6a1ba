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
 * ZFNet as the seed lecture's Keras code builds it: AlexNet with a 7x7 stride-2 first convolution (so
 * 96x111x111 after it) and wider middle layers. The small first stride leaves 512x13x13 = 86,528
 * features for the first dense layer, which alone holds 354,422,784 of its 386,548,840 parameters.
 */
@Network(input = {3, 227, 227})
@Expect(params = 386_548_840, output = 1000)
public interface SeedZfNet {
    @Conv2d(filters = 96, kernel = 7, stride = 2) @ReLU Layer conv1();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool1();
    @Conv2d(filters = 256, kernel = 5, padding = SAME) @ReLU Layer conv2();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool2();
    @Conv2d(filters = 512, kernel = 3, padding = SAME) @ReLU Layer conv3();
    @Conv2d(filters = 1024, kernel = 3, padding = SAME) @ReLU Layer conv4();
    @Conv2d(filters = 512, kernel = 3, padding = SAME) @ReLU Layer conv5();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool5();
    @Flatten Layer flatten();
    @Dense(units = 4096) @ReLU Layer fc6();
    @Dense(units = 4096) @ReLU Layer fc7();
    @Dense(units = 1000) @Softmax Layer fc8();
}
