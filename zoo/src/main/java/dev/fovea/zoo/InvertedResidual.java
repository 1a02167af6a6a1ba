package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.DepthwiseConv2d;
import dev.fovea.annotations.FirstOnly;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU6;
import dev.fovea.annotations.Shortcut;

/**
 * MobileNet v2's inverted residual (Sandler et al. 2018): a 1x1 expansion to {@code expansion} times
 * the input channels, a 3x3 depthwise convolution, a linear 1x1 projection, and the identity added
 * when the shapes allow it. Names follow torchvision ({@code conv.0.0}, ..., {@code conv.3}).
 */
@Block
public @interface InvertedResidual {
    int filters();

    int expansion() default 6;

    @FirstOnly int stride() default 1;

    interface Layers {
        int filters = 0, expansion = 6, stride = 1;

        @Conv2d(widthFactor = expansion, kernel = 1, bias = false, name = "conv.0.0") @BatchNorm(name = "conv.0.1") @ReLU6 Layer expand();
        @DepthwiseConv2d(kernel = 3, stride = stride, padding = 1, bias = false, name = "conv.1.0") @BatchNorm(name = "conv.1.1") @ReLU6 Layer depthwise();
        @Conv2d(filters = filters, kernel = 1, bias = false, name = "conv.2") @BatchNorm(name = "conv.3") Layer project();
        @Add(shortcut = Shortcut.WHEN_SHAPES_MATCH) Layer out();
    }
}
