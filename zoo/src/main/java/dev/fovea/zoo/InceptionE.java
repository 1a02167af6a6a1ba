package dev.fovea.zoo;

import dev.fovea.annotations.AvgPool2d;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;

/**
 * Inception v3's module of the 8x8 grid (Mixed_7b, 7c): the 3x3 branches end in a 1x3 and a 3x1 convolution
 * side by side, both kept; torchvision's nested concatenations are one here, in the same order.
 */
@Block
public @interface InceptionE {
    interface Layers {
        @BasicConv2d(filters = 320) Layer branch1x1();
        @From(Layer.INPUT) @BasicConv2d(filters = 384) Layer branch3x3_1();
        @FactorizedConv2d(filters = 384, kernelH = 1, kernelW = 3) Layer branch3x3_2a();
        @From("branch3x3_1") @FactorizedConv2d(filters = 384, kernelH = 3, kernelW = 1) Layer branch3x3_2b();
        @From(Layer.INPUT) @BasicConv2d(filters = 448) Layer branch3x3dbl_1();
        @BasicConv2d(filters = 384, kernel = 3, padding = 1) Layer branch3x3dbl_2();
        @FactorizedConv2d(filters = 384, kernelH = 1, kernelW = 3) Layer branch3x3dbl_3a();
        @From("branch3x3dbl_2") @FactorizedConv2d(filters = 384, kernelH = 3, kernelW = 1) Layer branch3x3dbl_3b();
        @From(Layer.INPUT) @AvgPool2d(kernel = 3, stride = 1, padding = 1) Layer pool();
        @BasicConv2d(filters = 192) Layer branch_pool();
        @Concat({"branch1x1", "branch3x3_2a", "branch3x3_2b", "branch3x3dbl_3a", "branch3x3dbl_3b", "branch_pool"}) Layer out();
    }
}
