package dev.fovea.zoo;

import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.ReLU;

/**
 * The Inception module as Szegedy et al. (2014) describe it: convolutions with biases and ReLU, no
 * batch norm, and a 5x5 third branch.
 */
@Block
public @interface InceptionV1 {
    int c1();

    int c3r();

    int c3();

    int c5r();

    int c5();

    int poolProj();

    interface Layers {
        int c1 = 0, c3r = 0, c3 = 0, c5r = 0, c5 = 0, poolProj = 0;

        @Conv2d(filters = c1, kernel = 1) @ReLU Layer branch1();
        @From(Layer.INPUT) @Conv2d(filters = c3r, kernel = 1) @ReLU Layer reduce3();
        @Conv2d(filters = c3, kernel = 3, padding = 1) @ReLU Layer branch2();
        @From(Layer.INPUT) @Conv2d(filters = c5r, kernel = 1) @ReLU Layer reduce5();
        @Conv2d(filters = c5, kernel = 5, padding = 2) @ReLU Layer branch3();
        @From(Layer.INPUT) @MaxPool2d(kernel = 3, stride = 1, padding = 1) Layer pool();
        @Conv2d(filters = poolProj, kernel = 1) @ReLU Layer branch4();
        @Concat({"branch1", "branch2", "branch3", "branch4"}) Layer out();
    }
}
