package dev.fovea.zoo;

import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/**
 * Network in Network's "mlpconv" block: a convolution followed by two 1x1 convolutions, a small
 * multi-layer perceptron applied at every position.
 */
@Block
public @interface NinBlock {
    int filters();

    int kernel();

    int stride() default 1;

    int padding() default 0;

    interface Layers {
        int filters = 0, kernel = 1, stride = 1, padding = 0;

        @Conv2d(filters = filters, kernel = kernel, stride = stride, padding = padding) @ReLU Layer conv();
        @Conv2d(filters = filters, kernel = 1) @ReLU Layer mlp1();
        @Conv2d(filters = filters, kernel = 1) @ReLU Layer mlp2();
    }
}
