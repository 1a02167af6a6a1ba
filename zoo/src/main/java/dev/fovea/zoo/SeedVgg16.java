package dev.fovea.zoo;

import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.Repeat;
import dev.fovea.annotations.Softmax;

/**
 * "VGG-16" exactly as the seed lecture's table lists it: its third stage has only two 256-channel
 * convolutions where the real VGG-16 ({@link Vgg16}) has three, so it counts 137,767,464 parameters,
 * 590,080 fewer. Kept to show that the checker reproduces a published table, mistakes included.
 */
@Network(input = {3, 224, 224})
@Expect(params = 137_767_464, output = 1000)
public interface SeedVgg16 {
    @VggConv(width = 64) @Repeat(2) Layer stage1();
    @MaxPool2d(kernel = 2) Layer pool1();
    @VggConv(width = 128) @Repeat(2) Layer stage2();
    @MaxPool2d(kernel = 2) Layer pool2();
    @VggConv(width = 256) @Repeat(2) Layer stage3();
    @MaxPool2d(kernel = 2) Layer pool3();
    @VggConv(width = 512) @Repeat(3) Layer stage4();
    @MaxPool2d(kernel = 2) Layer pool4();
    @VggConv(width = 512) @Repeat(3) Layer stage5();
    @MaxPool2d(kernel = 2) Layer pool5();
    @Flatten Layer flatten();
    @Dense(units = 4096) @ReLU Layer fc6();
    @Dense(units = 4096) @ReLU Layer fc7();
    @Dense(units = 1000) @Softmax Layer fc8();
}
