package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.DepthwiseConv2d;
import dev.fovea.annotations.DropPath;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Scale;
import dev.fovea.annotations.Shortcut;
import dev.fovea.annotations.SiLU;
import dev.fovea.annotations.Sigmoid;

/**
 * EfficientNet's inverted residual with squeeze-and-excitation, as torchvision names it: a 1x1 expansion
 * to {@code expanded} channels, a kxk depthwise convolution, a gate of {@code squeeze} channels (a quarter
 * of the block's input), a linear 1x1 projection to {@code out}, and where the shapes allow it a residual
 * addition whose branch is dropped whole with probability {@code dropRate} in training (stochastic depth;
 * 0 where there is no residual, as torchvision applies it only there).
 */
@Block
public @interface MBConv {
    int expanded();

    int out();

    int kernel() default 3;

    int stride() default 1;

    int squeeze();

    double dropRate() default 0;

    interface Layers {
        int expanded = 96, out = 24, kernel = 3, stride = 1, squeeze = 4;
        double dropRate = 0;

        @Conv2d(filters = expanded, kernel = 1, bias = false, name = "block.0.0") @BatchNorm(name = "block.0.1") @SiLU Layer expand();
        @DepthwiseConv2d(kernel = kernel, stride = stride, padding = (kernel - 1) / 2, bias = false, name = "block.1.0")
        @BatchNorm(name = "block.1.1") @SiLU Layer depthwise();
        @GlobalAvgPool Layer pool();
        @Conv2d(filters = squeeze, kernel = 1, name = "block.2.fc1") @SiLU Layer fc1();
        @Conv2d(filters = expanded, kernel = 1, name = "block.2.fc2") @Sigmoid Layer fc2();
        @Scale(from = "depthwise") Layer excite();
        @Conv2d(filters = out, kernel = 1, bias = false, name = "block.3.0") @BatchNorm(name = "block.3.1") Layer project();
        @DropPath(dropRate) Layer drop();
        @Add(shortcut = Shortcut.WHEN_SHAPES_MATCH) Layer sum();
    }
}
