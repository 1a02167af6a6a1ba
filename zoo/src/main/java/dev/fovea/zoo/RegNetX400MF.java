package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Name;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.Repeat;

/**
 * RegNetX-400MF: an AnyNet with stem width 32, four stages of depth d = (1, 2, 7, 12) and width
 * w = (32, 64, 160, 400), group width 16, bottleneck ratio 1, as torchvision builds it.
 */
@Network(input = {3, 224, 224})
@Expect(params = 5_495_976, macs = 413_812_608L, output = 1000)
public interface RegNetX400MF {
    @Conv2d(filters = 32, kernel = 3, stride = 2, padding = 1, bias = false, name = "stem.0") @BatchNorm(name = "stem.1") @ReLU Layer stem();
    @RegNetBlock(width = 32, groupWidth = 16, stride = 2) @Repeat(value = 1, label = "block1-%d") @Name("trunk_output.block1") Layer stage1();
    @RegNetBlock(width = 64, groupWidth = 16, stride = 2) @Repeat(value = 2, label = "block2-%d") @Name("trunk_output.block2") Layer stage2();
    @RegNetBlock(width = 160, groupWidth = 16, stride = 2) @Repeat(value = 7, label = "block3-%d") @Name("trunk_output.block3") Layer stage3();
    @RegNetBlock(width = 400, groupWidth = 16, stride = 2) @Repeat(value = 12, label = "block4-%d") @Name("trunk_output.block4") Layer stage4();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 1000) Layer fc();
}
