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
 * SE-ResNet-50 (Hu et al. 2018): ResNet-50 with squeeze-and-excitation in every bottleneck, reduction 16.
 */
@Network(input = {3, 224, 224})
@Expect(params = 28_088_024, macs = 4_091_699_200L, output = 1000)
public interface SeResNet50 {
    @Conv2d(filters = 64, kernel = 7, stride = 2, padding = 3, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
    @MaxPool2d(kernel = 3, stride = 2, padding = 1) Layer maxpool();
    @SeBottleneck(planes = 64) @Repeat(3) Layer layer1();
    @SeBottleneck(planes = 128, stride = 2) @Repeat(4) Layer layer2();
    @SeBottleneck(planes = 256, stride = 2) @Repeat(6) Layer layer3();
    @SeBottleneck(planes = 512, stride = 2) @Repeat(3) Layer layer4();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 1000) Layer fc();
}
