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
 * ResNet-18 (He et al. 2015) as torchvision builds it: basic blocks, two per stage. The paper's table gives 1.8 x 10^9 FLOPs (multiply-adds).
 */
@Network(input = {3, 224, 224})
@Expect(params = 11_689_512, macs = 1_814_073_344L, output = 1000)
public interface ResNet18 {
    @Conv2d(filters = 64, kernel = 7, stride = 2, padding = 3, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
    @MaxPool2d(kernel = 3, stride = 2, padding = 1) Layer maxpool();
    @BasicBlock(planes = 64) @Repeat(2) Layer layer1();
    @BasicBlock(planes = 128, stride = 2) @Repeat(2) Layer layer2();
    @BasicBlock(planes = 256, stride = 2) @Repeat(2) Layer layer3();
    @BasicBlock(planes = 512, stride = 2) @Repeat(2) Layer layer4();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 1000) Layer fc();
}
