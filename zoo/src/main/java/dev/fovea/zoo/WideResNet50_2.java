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
 * Wide ResNet-50-2 (Zagoruyko and Komodakis 2016): ResNet-50 with bottlenecks twice as wide inside.
 */
@Network(input = {3, 224, 224})
@Expect(params = 68_883_240, macs = 11_398_021_120L, output = 1000)
public interface WideResNet50_2 {
    @Conv2d(filters = 64, kernel = 7, stride = 2, padding = 3, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
    @MaxPool2d(kernel = 3, stride = 2, padding = 1) Layer maxpool();
    @Bottleneck(planes = 64, baseWidth = 128) @Repeat(3) Layer layer1();
    @Bottleneck(planes = 128, stride = 2, baseWidth = 128) @Repeat(4) Layer layer2();
    @Bottleneck(planes = 256, stride = 2, baseWidth = 128) @Repeat(6) Layer layer3();
    @Bottleneck(planes = 512, stride = 2, baseWidth = 128) @Repeat(3) Layer layer4();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 1000) Layer fc();
}
