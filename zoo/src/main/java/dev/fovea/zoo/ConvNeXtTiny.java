package dev.fovea.zoo;

import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.LayerNorm;
import dev.fovea.annotations.Name;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.Repeat;

/**
 * ConvNeXt-T as torchvision builds it: a 4x4 stride-4 "patchify" stem, stages of 3, 3, 9 and 3 blocks
 * at 96, 192, 384 and 768 channels, each stage but the first opened by layer norm and a 2x2 stride-2
 * convolution.
 */
@Network(input = {3, 224, 224})
@Expect(params = 28_589_128, macs = 4_455_531_264L, output = 1000)
public interface ConvNeXtTiny {
    @Conv2d(filters = 96, kernel = 4, stride = 4, name = "features.0.0") @LayerNorm(eps = 1e-6, name = "features.0.1") Layer stem();
    @CNBlock(dim = 96) @Repeat(3) @Name("features.1") Layer stage1();
    @LayerNorm(eps = 1e-6, name = "features.2.0") @Conv2d(filters = 192, kernel = 2, stride = 2, name = "features.2.1") Layer down2();
    @CNBlock(dim = 192) @Repeat(3) @Name("features.3") Layer stage2();
    @LayerNorm(eps = 1e-6, name = "features.4.0") @Conv2d(filters = 384, kernel = 2, stride = 2, name = "features.4.1") Layer down3();
    @CNBlock(dim = 384) @Repeat(9) @Name("features.5") Layer stage3();
    @LayerNorm(eps = 1e-6, name = "features.6.0") @Conv2d(filters = 768, kernel = 2, stride = 2, name = "features.6.1") Layer down4();
    @CNBlock(dim = 768) @Repeat(3) @Name("features.7") Layer stage4();
    @GlobalAvgPool Layer avgpool();
    @LayerNorm(eps = 1e-6, name = "classifier.0") Layer norm();
    @Flatten Layer flatten();
    @Dense(units = 1000, name = "classifier.2") Layer head();
}
