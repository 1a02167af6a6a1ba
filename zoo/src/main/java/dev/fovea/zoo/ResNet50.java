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
 * ResNet-50 as torchvision builds it (v1.5, stride on the 3x3 convolution): bottlenecks in stages of 3, 4, 6 and 3. The paper's 3.8 x 10^9 counts the v1 placement, see {@link ResNet50V1}.
 */
@Network(input = {3, 224, 224})
@Expect(params = 25_557_032, macs = 4_089_184_256L, output = 1000)
public interface ResNet50 {
    @Conv2d(filters = 64, kernel = 7, stride = 2, padding = 3, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
    @MaxPool2d(kernel = 3, stride = 2, padding = 1) Layer maxpool();
    @Bottleneck(planes = 64) @Repeat(3) Layer layer1();
    @Bottleneck(planes = 128, stride = 2) @Repeat(4) Layer layer2();
    @Bottleneck(planes = 256, stride = 2) @Repeat(6) Layer layer3();
    @Bottleneck(planes = 512, stride = 2) @Repeat(3) Layer layer4();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 1000) Layer fc();
}
