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
import dev.fovea.annotations.Scale;
import dev.fovea.annotations.SiLU;
import dev.fovea.annotations.Sigmoid;

/**
 * EfficientNet-B0 (Tan and Le, 2019), as torchvision builds it: a 3x3 stem, sixteen inverted residual
 * blocks with squeeze-and-excitation and SiLU in seven stages (the first without expansion), a 1x1
 * convolution to 1280 channels, global average pooling, dropout 0.2 and a 1000-way classifier. Stochastic
 * depth grows linearly over the blocks, 0.2 k / 16 for block k, applied where a block has its residual.
 *
 * <p>Figures, from Debian's torchvision 0.14 ({@code it-tests/scripts/torchvision_figures.py efficientnet_b0}):
 * 5,288,548 parameters, 385,814,752 multiply-adds at 224x224. The paper gives 5.3M parameters and 0.39B FLOPs.
 */
@Network(input = {3, 224, 224})
@Expect(params = 5_288_548, macs = 385_814_752L, output = 1000)
public interface EfficientNetB0 {
    @Conv2d(filters = 32, kernel = 3, stride = 2, padding = 1, bias = false, name = "features.0.0") @BatchNorm(name = "features.0.1") @SiLU
    Layer stem();

    // stage 1 (features.1): the inverted residual without expansion
    @DepthwiseConv2d(kernel = 3, padding = 1, bias = false, name = "features.1.0.block.0.0") @BatchNorm(name = "features.1.0.block.0.1") @SiLU
    Layer block0Depthwise();
    @GlobalAvgPool Layer block0Pool();
    @Conv2d(filters = 8, kernel = 1, name = "features.1.0.block.1.fc1") @SiLU Layer block0Fc1();
    @Conv2d(filters = 32, kernel = 1, name = "features.1.0.block.1.fc2") @Sigmoid Layer block0Fc2();
    @Scale(from = "block0Depthwise") Layer block0Excite();
    @Conv2d(filters = 16, kernel = 1, bias = false, name = "features.1.0.block.2.0") @BatchNorm(name = "features.1.0.block.2.1") Layer block0();

    @MBConv(expanded = 96, out = 24, stride = 2, squeeze = 4) @Name("features.2.0") Layer block1();
    @MBConv(expanded = 144, out = 24, squeeze = 6, dropRate = 0.025) @Name("features.2.1") Layer block2();
    @MBConv(expanded = 144, out = 40, kernel = 5, stride = 2, squeeze = 6) @Name("features.3.0") Layer block3();
    @MBConv(expanded = 240, out = 40, kernel = 5, squeeze = 10, dropRate = 0.05) @Name("features.3.1") Layer block4();
    @MBConv(expanded = 240, out = 80, stride = 2, squeeze = 10) @Name("features.4.0") Layer block5();
    @MBConv(expanded = 480, out = 80, squeeze = 20, dropRate = 0.075) @Name("features.4.1") Layer block6();
    @MBConv(expanded = 480, out = 80, squeeze = 20, dropRate = 0.0875) @Name("features.4.2") Layer block7();
    @MBConv(expanded = 480, out = 112, kernel = 5, squeeze = 20) @Name("features.5.0") Layer block8();
    @MBConv(expanded = 672, out = 112, kernel = 5, squeeze = 28, dropRate = 0.1125) @Name("features.5.1") Layer block9();
    @MBConv(expanded = 672, out = 112, kernel = 5, squeeze = 28, dropRate = 0.125) @Name("features.5.2") Layer block10();
    @MBConv(expanded = 672, out = 192, kernel = 5, stride = 2, squeeze = 28) @Name("features.6.0") Layer block11();
    @MBConv(expanded = 1152, out = 192, kernel = 5, squeeze = 48, dropRate = 0.15) @Name("features.6.1") Layer block12();
    @MBConv(expanded = 1152, out = 192, kernel = 5, squeeze = 48, dropRate = 0.1625) @Name("features.6.2") Layer block13();
    @MBConv(expanded = 1152, out = 192, kernel = 5, squeeze = 48, dropRate = 0.175) @Name("features.6.3") Layer block14();
    @MBConv(expanded = 1152, out = 320, squeeze = 48) @Name("features.7.0") Layer block15();

    @Conv2d(filters = 1280, kernel = 1, bias = false, name = "features.8.0") @BatchNorm(name = "features.8.1") @SiLU Layer head();
    @GlobalAvgPool Layer avgpool();
    @Flatten @Dropout(rate = 0.2) Layer flatten();
    @Dense(units = 1000, name = "classifier.1") Layer classifier();
}
