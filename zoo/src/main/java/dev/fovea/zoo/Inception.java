package dev.fovea.zoo;

import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Name;

/**
 * GoogLeNet's Inception module as torchvision builds it: four branches (1x1; 1x1 then 3x3; 1x1 then
 * 3x3; 3x3 pooling then 1x1) joined along the channels. The six numbers are the columns of the
 * paper's table. torchvision's third branch uses a 3x3 convolution where the paper has 5x5 (see
 * {@link InceptionV1}).
 */
@Block
public @interface Inception {
    int c1();

    int c3r();

    int c3();

    int c5r();

    int c5();

    int poolProj();

    interface Layers {
        int c1 = 0, c3r = 0, c3 = 0, c5r = 0, c5 = 0, poolProj = 0;

        @BasicConv2d(filters = c1) Layer branch1();
        @From(Layer.INPUT) @BasicConv2d(filters = c3r) @Name("branch2.0") Layer reduce3();
        @BasicConv2d(filters = c3, kernel = 3, padding = 1) @Name("branch2.1") Layer branch2();
        @From(Layer.INPUT) @BasicConv2d(filters = c5r) @Name("branch3.0") Layer reduce5();
        @BasicConv2d(filters = c5, kernel = 3, padding = 1) @Name("branch3.1") Layer branch3();
        @From(Layer.INPUT) @MaxPool2d(kernel = 3, stride = 1, padding = 1, ceilMode = true) Layer pool();
        @BasicConv2d(filters = poolProj) @Name("branch4.1") Layer branch4();
        @Concat({"branch1", "branch2", "branch3", "branch4"}) Layer out();
    }
}
