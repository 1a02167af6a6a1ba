package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.DepthwiseConv2d;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/** Xception's middle-flow block: three times ReLU, separable convolution of 728 channels, batch norm; added to its input. */
@Block
public @interface XceptionMiddle {
    interface Layers {
        @ReLU Layer relu1();
        @DepthwiseConv2d(kernel = 3, padding = 1, bias = false) Layer sepconv1Depthwise();
        @Conv2d(filters = 728, kernel = 1, bias = false) @BatchNorm(eps = 1e-3, name = "sepconv1_bn") Layer sepconv1Pointwise();
        @ReLU Layer relu2();
        @DepthwiseConv2d(kernel = 3, padding = 1, bias = false) Layer sepconv2Depthwise();
        @Conv2d(filters = 728, kernel = 1, bias = false) @BatchNorm(eps = 1e-3, name = "sepconv2_bn") Layer sepconv2Pointwise();
        @ReLU Layer relu3();
        @DepthwiseConv2d(kernel = 3, padding = 1, bias = false) Layer sepconv3Depthwise();
        @Conv2d(filters = 728, kernel = 1, bias = false) @BatchNorm(eps = 1e-3, name = "sepconv3_bn") Layer sepconv3Pointwise();
        @Add Layer out();
    }
}
