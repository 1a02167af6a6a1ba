package dev.fovea.zoo;

import dev.fovea.annotations.AvgPool2d;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;

/** Inception v3's module of the 35x35 grid (Mixed_5b to 5d): 1x1, 5x5, double 3x3 and pooled branches. */
@Block
public @interface InceptionA {
    int poolFeatures();

    interface Layers {
        int poolFeatures = 32;

        @BasicConv2d(filters = 64) Layer branch1x1();
        @From(Layer.INPUT) @BasicConv2d(filters = 48) Layer branch5x5_1();
        @BasicConv2d(filters = 64, kernel = 5, padding = 2) Layer branch5x5_2();
        @From(Layer.INPUT) @BasicConv2d(filters = 64) Layer branch3x3dbl_1();
        @BasicConv2d(filters = 96, kernel = 3, padding = 1) Layer branch3x3dbl_2();
        @BasicConv2d(filters = 96, kernel = 3, padding = 1) Layer branch3x3dbl_3();
        @From(Layer.INPUT) @AvgPool2d(kernel = 3, stride = 1, padding = 1) Layer pool();
        @BasicConv2d(filters = poolFeatures) Layer branch_pool();
        @Concat({"branch1x1", "branch5x5_2", "branch3x3dbl_3", "branch_pool"}) Layer out();
    }
}
