package dev.fovea.zoo;

import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;

/** Inception v3's grid reduction from 35x35 to 17x17 (Mixed_6a): strided 3x3, strided double 3x3, max pooling. */
@Block
public @interface InceptionB {
    interface Layers {
        @BasicConv2d(filters = 384, kernel = 3, stride = 2) Layer branch3x3();
        @From(Layer.INPUT) @BasicConv2d(filters = 64) Layer branch3x3dbl_1();
        @BasicConv2d(filters = 96, kernel = 3, padding = 1) Layer branch3x3dbl_2();
        @BasicConv2d(filters = 96, kernel = 3, stride = 2) Layer branch3x3dbl_3();
        @From(Layer.INPUT) @MaxPool2d(kernel = 3, stride = 2) Layer pool();
        @Concat({"branch3x3", "branch3x3dbl_3", "pool"}) Layer out();
    }
}
