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
 * RegNetY-400MF: depths (1, 3, 6, 6), widths (48, 104, 208, 440), group width 8, and
 * squeeze-and-excitation to a quarter of each block's input width, as torchvision builds it.
 */
@Network(input = {3, 224, 224})
@Expect(params = 4_344_144, macs = 401_842_848L, output = 1000)
public interface RegNetY400MF {
    @Conv2d(filters = 32, kernel = 3, stride = 2, padding = 1, bias = false, name = "stem.0") @BatchNorm(name = "stem.1") @ReLU Layer stem();
    @RegNetYBlock(width = 48, groupWidth = 8, stride = 2, inWidth = 32) @Repeat(value = 1, label = "block1-%d") @Name("trunk_output.block1") Layer stage1();
    @RegNetYBlock(width = 104, groupWidth = 8, stride = 2, inWidth = 48) @Repeat(value = 3, label = "block2-%d") @Name("trunk_output.block2") Layer stage2();
    @RegNetYBlock(width = 208, groupWidth = 8, stride = 2, inWidth = 104) @Repeat(value = 6, label = "block3-%d") @Name("trunk_output.block3") Layer stage3();
    @RegNetYBlock(width = 440, groupWidth = 8, stride = 2, inWidth = 208) @Repeat(value = 6, label = "block4-%d") @Name("trunk_output.block4") Layer stage4();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 1000) Layer fc();
}
