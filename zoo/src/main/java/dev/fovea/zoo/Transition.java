package dev.fovea.zoo;

import dev.fovea.annotations.AvgPool2d;
import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/** DenseNet's transition between dense blocks: BN-ReLU, a 1x1 convolution halving the channels, 2x2 average pooling. */
@Block
public @interface Transition {
    interface Layers {
        @BatchNorm(name = "norm") @ReLU Layer norm();
        @Conv2d(widthFactor = 0.5, kernel = 1, bias = false) Layer conv();
        @AvgPool2d(kernel = 2) Layer pool();
    }
}
