package dev.fovea.zoo;

import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;

/** Inception v3's grid reduction from 17x17 to 8x8 (Mixed_7a): strided 3x3, factorised 7x7 then strided 3x3, max pooling. */
@Block
public @interface InceptionD {
    interface Layers {
        @BasicConv2d(filters = 192) Layer branch3x3_1();
        @BasicConv2d(filters = 320, kernel = 3, stride = 2) Layer branch3x3_2();
        @From(Layer.INPUT) @BasicConv2d(filters = 192) Layer branch7x7x3_1();
        @FactorizedConv2d(filters = 192, kernelH = 1, kernelW = 7) Layer branch7x7x3_2();
        @FactorizedConv2d(filters = 192, kernelH = 7, kernelW = 1) Layer branch7x7x3_3();
        @BasicConv2d(filters = 192, kernel = 3, stride = 2) Layer branch7x7x3_4();
        @From(Layer.INPUT) @MaxPool2d(kernel = 3, stride = 2) Layer pool();
        @Concat({"branch3x3_2", "branch7x7x3_4", "pool"}) Layer out();
    }
}
