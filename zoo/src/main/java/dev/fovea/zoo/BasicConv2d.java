package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/** torchvision's GoogLeNet unit: convolution without bias, batch norm (eps 0.001), ReLU; named conv and bn. */
@Block
public @interface BasicConv2d {
    int filters();

    int kernel() default 1;

    int stride() default 1;

    int padding() default 0;

    interface Layers {
        int filters = 0, kernel = 1, stride = 1, padding = 0;

        @Conv2d(filters = filters, kernel = kernel, stride = stride, padding = padding, bias = false)
        @BatchNorm(eps = 0.001, name = "bn") @ReLU Layer conv();
    }
}
