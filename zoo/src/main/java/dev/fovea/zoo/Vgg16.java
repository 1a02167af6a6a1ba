package dev.fovea.zoo;

import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Dropout;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.Repeat;

/** VGG-16 (configuration D): 13 convolutions in five stages, three dense layers. */
@Network(input = {3, 224, 224})
@Expect(params = 138_357_544, macs = 15_470_264_320L)
public interface Vgg16 {
    @VggConv(width = 64) @Repeat(2) Layer stage1();
    @MaxPool2d(kernel = 2) Layer pool1();
    @VggConv(width = 128) @Repeat(2) Layer stage2();
    @MaxPool2d(kernel = 2) Layer pool2();
    @VggConv(width = 256) @Repeat(3) Layer stage3();
    @MaxPool2d(kernel = 2) Layer pool3();
    @VggConv(width = 512) @Repeat(3) Layer stage4();
    @MaxPool2d(kernel = 2) Layer pool4();
    @VggConv(width = 512) @Repeat(3) Layer stage5();
    @MaxPool2d(kernel = 2) Layer pool5();
    @Flatten Layer flatten();
    @Dense(units = 4096) @ReLU @Dropout Layer fc6();
    @Dense(units = 4096) @ReLU @Dropout Layer fc7();
    @Dense(units = 1000) Layer fc8();
}
