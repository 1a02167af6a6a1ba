package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.DepthwiseConv2d;
import dev.fovea.annotations.Dropout;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Name;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU6;
import dev.fovea.annotations.Repeat;

/**
 * MobileNet v2 (width 1.0) as torchvision builds it: the paper's table of (expansion t, channels c,
 * repeats n, stride s) rows, one line each; repetitions are numbered on across rows as
 * torchvision's {@code features.N}.
 */
@Network(input = {3, 224, 224})
@Expect(params = 3_504_872, macs = 300_774_272L, output = 1000)
public interface MobileNetV2 {
    @Conv2d(filters = 32, kernel = 3, stride = 2, padding = 1, bias = false, name = "features.0.0")
    @BatchNorm(name = "features.0.1") @ReLU6 Layer stem();
    // t = 1: no expansion, so no 1x1 convolution before the depthwise one.
    @DepthwiseConv2d(kernel = 3, padding = 1, bias = false, name = "features.1.conv.0.0") @BatchNorm(name = "features.1.conv.0.1") @ReLU6 Layer block1();
    @Conv2d(filters = 16, kernel = 1, bias = false, name = "features.1.conv.1") @BatchNorm(name = "features.1.conv.2") Layer block1Project();
    @InvertedResidual(filters = 24, stride = 2) @Repeat(value = 2, firstIndex = 2) @Name("features") Layer stage2();
    @InvertedResidual(filters = 32, stride = 2) @Repeat(value = 3, firstIndex = 4) @Name("features") Layer stage3();
    @InvertedResidual(filters = 64, stride = 2) @Repeat(value = 4, firstIndex = 7) @Name("features") Layer stage4();
    @InvertedResidual(filters = 96) @Repeat(value = 3, firstIndex = 11) @Name("features") Layer stage5();
    @InvertedResidual(filters = 160, stride = 2) @Repeat(value = 3, firstIndex = 14) @Name("features") Layer stage6();
    @InvertedResidual(filters = 320) @Repeat(value = 1, firstIndex = 17) @Name("features") Layer stage7();
    @Conv2d(filters = 1280, kernel = 1, bias = false, name = "features.18.0") @BatchNorm(name = "features.18.1") @ReLU6 Layer last();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dropout(rate = 0.2) @Dense(units = 1000, name = "classifier.1") Layer classifier();
}
