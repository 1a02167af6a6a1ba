package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/**
 * One layer of a DenseNet dense block: BN-ReLU-1x1 convolution to {@code bnSize * growth} channels,
 * BN-ReLU-3x3 convolution to {@code growth} channels, then its input and its output concatenated, so
 * that every layer sees the features of all before it.
 */
@Block
public @interface DenseLayer {
    int growth() default 32;

    int bnSize() default 4;

    interface Layers {
        int growth = 32, bnSize = 4;

        @BatchNorm(name = "norm1") @ReLU Layer norm1();
        @Conv2d(filters = bnSize * growth, kernel = 1, bias = false) @BatchNorm(name = "norm2") @ReLU Layer conv1();
        @Conv2d(filters = growth, kernel = 3, padding = 1, bias = false) Layer conv2();
        @Concat({Layer.INPUT, "conv2"}) Layer out();
    }
}
