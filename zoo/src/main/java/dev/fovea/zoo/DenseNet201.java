package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Name;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.Repeat;

/**
 * DenseNet-201 (Huang et al. 2017) as torchvision builds it: growth rate 32, dense blocks of 6, 12, 48 and 32
 * layers, each followed by a transition that halves the channels (but the last).
 */
@Network(input = {3, 224, 224})
@Expect(params = 20_013_928, macs = 4_291_365_888L, output = 1000)
public interface DenseNet201 {
    @Conv2d(filters = 64, kernel = 7, stride = 2, padding = 3, bias = false, name = "features.conv0")
    @BatchNorm(name = "features.norm0") @ReLU Layer conv0();
    @MaxPool2d(kernel = 3, stride = 2, padding = 1) Layer pool0();
    @DenseLayer @Repeat(value = 6, label = "denselayer%d", firstIndex = 1) @Name("features.denseblock1") Layer denseblock1();
    @Transition @Name("features.transition1") Layer transition1();
    @DenseLayer @Repeat(value = 12, label = "denselayer%d", firstIndex = 1) @Name("features.denseblock2") Layer denseblock2();
    @Transition @Name("features.transition2") Layer transition2();
    @DenseLayer @Repeat(value = 48, label = "denselayer%d", firstIndex = 1) @Name("features.denseblock3") Layer denseblock3();
    @Transition @Name("features.transition3") Layer transition3();
    @DenseLayer @Repeat(value = 32, label = "denselayer%d", firstIndex = 1) @Name("features.denseblock4") Layer denseblock4();
    @BatchNorm(name = "features.norm5") @ReLU Layer norm5();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 1000) Layer classifier();
}
