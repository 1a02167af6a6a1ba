package dev.fovea.zoo;

import dev.fovea.annotations.AvgPool2d;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;

/** Inception v3's module of the 17x17 grid (Mixed_6b to 6e): 7x7 convolutions factorised into 1x7 and 7x1, c7 channels inside. */
@Block
public @interface InceptionC {
    int c7();

    interface Layers {
        int c7 = 128;

        @BasicConv2d(filters = 192) Layer branch1x1();
        @From(Layer.INPUT) @BasicConv2d(filters = c7) Layer branch7x7_1();
        @FactorizedConv2d(filters = c7, kernelH = 1, kernelW = 7) Layer branch7x7_2();
        @FactorizedConv2d(filters = 192, kernelH = 7, kernelW = 1) Layer branch7x7_3();
        @From(Layer.INPUT) @BasicConv2d(filters = c7) Layer branch7x7dbl_1();
        @FactorizedConv2d(filters = c7, kernelH = 7, kernelW = 1) Layer branch7x7dbl_2();
        @FactorizedConv2d(filters = c7, kernelH = 1, kernelW = 7) Layer branch7x7dbl_3();
        @FactorizedConv2d(filters = c7, kernelH = 7, kernelW = 1) Layer branch7x7dbl_4();
        @FactorizedConv2d(filters = 192, kernelH = 1, kernelW = 7) Layer branch7x7dbl_5();
        @From(Layer.INPUT) @AvgPool2d(kernel = 3, stride = 1, padding = 1) Layer pool();
        @BasicConv2d(filters = 192) Layer branch_pool();
        @Concat({"branch1x1", "branch7x7_3", "branch7x7dbl_5", "branch_pool"}) Layer out();
    }
}
