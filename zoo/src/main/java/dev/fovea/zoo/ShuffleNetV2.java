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
 * ShuffleNet v2 1.0x (Ma et al., 2018), as torchvision builds it: a 3x3 stem and max pooling, three stages
 * of 4, 8 and 4 units with 116, 232 and 464 channels (each opening with a downsampling unit), a 1x1
 * convolution to 1024 channels, global average pooling and a 1000-way classifier. Units split their
 * channels and shuffle them ({@code @ChannelSplit}, {@code @ChannelShuffle}).
 *
 * <p>Figures, from Debian's torchvision 0.14 ({@code it-tests/scripts/torchvision_figures.py shufflenet_v2_x1_0}):
 * 2,278,604 parameters and 144,907,992 multiply-adds; the paper gives 2.3M parameters and 146M FLOPs.
 */
@Network(input = {3, 224, 224})
@Expect(params = 2_278_604, macs = 144_907_992L, output = 1000)
public interface ShuffleNetV2 {
    @Conv2d(filters = 24, kernel = 3, stride = 2, padding = 1, bias = false, name = "conv1.0") @BatchNorm(name = "conv1.1") @ReLU Layer conv1();
    @MaxPool2d(kernel = 3, stride = 2, padding = 1) Layer maxpool();
    @ShuffleDown(branch = 58) @Name("stage2.0") Layer stage2Down();
    @ShuffleUnit(branch = 58) @Repeat(value = 3, firstIndex = 1) Layer stage2();
    @ShuffleDown(branch = 116) @Name("stage3.0") Layer stage3Down();
    @ShuffleUnit(branch = 116) @Repeat(value = 7, firstIndex = 1) Layer stage3();
    @ShuffleDown(branch = 232) @Name("stage4.0") Layer stage4Down();
    @ShuffleUnit(branch = 232) @Repeat(value = 3, firstIndex = 1) Layer stage4();
    @Conv2d(filters = 1024, kernel = 1, bias = false, name = "conv5.0") @BatchNorm(name = "conv5.1") @ReLU Layer conv5();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 1000) Layer fc();
}
