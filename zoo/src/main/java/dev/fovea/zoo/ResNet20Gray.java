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
 * {@link ResNet20} for one-channel 28x28 images (MNIST, Fashion-MNIST): the same network on 28x28,
 * 14x14 and 7x7 maps. 272,186 parameters and 31,021,952 multiply-adds, as the same network built from
 * torchvision's BasicBlock counts them.
 */
@Network(input = {1, 28, 28})
@Expect(params = 272_186, macs = 31_021_952L, output = 10)
public interface ResNet20Gray {
    @Conv2d(filters = 16, kernel = 3, padding = 1, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
    @BasicBlock(planes = 16) @Repeat(3) Layer layer1();
    @BasicBlock(planes = 32, stride = 2) @Repeat(3) Layer layer2();
    @BasicBlock(planes = 64, stride = 2) @Repeat(3) Layer layer3();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 10) Layer fc();
}
