package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.Repeat;

/**
 * ResNet-20 for CIFAR-10 (He et al. 2015, section 4.2): a 3x3 convolution of 16 filters, then three
 * stages of n = 3 basic blocks with 16, 32 and 64 filters on 32x32, 16x16 and 8x8 maps, global average
 * pooling and a 10-way dense layer: 6n + 2 = 20 weighted layers. The paper's shortcuts are identities
 * with zero-padding (option A, 0.27M parameters); these are projections (option B), which add the two
 * 1x1 convolutions and their norms. 272,474 parameters and 40,813,184 multiply-adds, as the same
 * network built from torchvision's BasicBlock counts them.
 */
@Network(input = {3, 32, 32})
@Expect(params = 272_474, macs = 40_813_184L, output = 10)
public interface ResNet20 {
    @Conv2d(filters = 16, kernel = 3, padding = 1, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
    @BasicBlock(planes = 16) @Repeat(3) Layer layer1();
    @BasicBlock(planes = 32, stride = 2) @Repeat(3) Layer layer2();
    @BasicBlock(planes = 64, stride = 2) @Repeat(3) Layer layer3();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 10) Layer fc();
}
