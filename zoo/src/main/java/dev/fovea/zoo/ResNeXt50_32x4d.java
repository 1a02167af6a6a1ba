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
 * ResNeXt-50 32x4d (Xie et al. 2017): ResNet-50 whose 3x3 convolutions are split into 32 groups of 4 channels per 64 planes.
 */
@Network(input = {3, 224, 224})
@Expect(params = 25_028_904, macs = 4_230_479_872L, output = 1000)
public interface ResNeXt50_32x4d {
    @Conv2d(filters = 64, kernel = 7, stride = 2, padding = 3, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
    @MaxPool2d(kernel = 3, stride = 2, padding = 1) Layer maxpool();
    @Bottleneck(planes = 64, groups = 32, baseWidth = 4) @Repeat(3) Layer layer1();
    @Bottleneck(planes = 128, stride = 2, groups = 32, baseWidth = 4) @Repeat(4) Layer layer2();
    @Bottleneck(planes = 256, stride = 2, groups = 32, baseWidth = 4) @Repeat(6) Layer layer3();
    @Bottleneck(planes = 512, stride = 2, groups = 32, baseWidth = 4) @Repeat(3) Layer layer4();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 1000) Layer fc();
}
