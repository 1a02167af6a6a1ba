package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.FirstOnly;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.Shortcut;

/**
 * ResNet's basic block (ResNet-18 and -34): two 3x3 convolutions and a shortcut, projected where the
 * block changes width or resolution. Names follow torchvision ({@code conv1}, {@code bn1}, ...,
 * {@code downsample.0}).
 */
@Block
public @interface BasicBlock {
    int planes();

    /** 2 opens a stage that halves the resolution; the later blocks of the stage keep 1. */
    @FirstOnly int stride() default 1;

    interface Layers {
        int planes = 64, stride = 1;

        @Conv2d(filters = planes, kernel = 3, stride = stride, padding = 1, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
        @Conv2d(filters = planes, kernel = 3, padding = 1, bias = false) @BatchNorm(name = "bn2") Layer conv2();
        @Add(shortcut = Shortcut.PROJECTION) @ReLU Layer out();
    }
}
