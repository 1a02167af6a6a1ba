package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.DepthwiseConv2d;
import dev.fovea.annotations.FirstOnly;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/**
 * MobileNet v1's depthwise separable convolution: a 3x3 depthwise convolution and a 1x1 pointwise one,
 * each with batch norm and ReLU. {@code alpha} is the width multiplier: the pointwise convolution has
 * {@code (int) (filters * alpha)} channels.
 */
@Block
public @interface DepthwiseSeparable {
    int filters();

    double alpha() default 1.0;

    @FirstOnly int stride() default 1;

    interface Layers {
        int filters = 0, stride = 1;
        double alpha = 1.0;

        @DepthwiseConv2d(kernel = 3, stride = stride, padding = 1, bias = false) @BatchNorm @ReLU Layer depthwise();
        @Conv2d(filters = (int) (filters * alpha), kernel = 1, bias = false) @BatchNorm @ReLU Layer pointwise();
    }
}
