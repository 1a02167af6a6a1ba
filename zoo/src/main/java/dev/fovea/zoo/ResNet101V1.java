package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.Repeat;

/**
 * ResNet-101 as the paper builds it (v1): the stride on the first 1x1 convolution of a stage. The
 * paper's table rounds its multiply-adds to 7.6 x 10^9; {@link ResNet101} is torchvision's v1.5.
 */
@Network(input = {3, 224, 224})
@Expect(params = 44_549_160, macs = 7_570_194_432L, output = 1000)
public interface ResNet101V1 {
    @Conv2d(filters = 64, kernel = 7, stride = 2, padding = 3, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
    @MaxPool2d(kernel = 3, stride = 2, padding = 1) Layer maxpool();
    @BottleneckV1(planes = 64) @Repeat(3) Layer layer1();
    @BottleneckV1(planes = 128, stride = 2) @Repeat(4) Layer layer2();
    @BottleneckV1(planes = 256, stride = 2) @Repeat(23) Layer layer3();
    @BottleneckV1(planes = 512, stride = 2) @Repeat(3) Layer layer4();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 1000) Layer fc();
}
