package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/**
 * Inception v3's factorised unit: {@link BasicConv2d} with a kernelH x kernelW kernel (1x7 and 7x1, 1x3
 * and 3x1) padded to keep the map's size; named conv and bn as torchvision names them.
 */
@Block
public @interface FactorizedConv2d {
    int filters();

    int kernelH();

    int kernelW();

    interface Layers {
        int filters = 0, kernelH = 1, kernelW = 7;

        @Conv2d(filters = filters, kernel = {kernelH, kernelW}, padding = {(kernelH - 1) / 2, (kernelW - 1) / 2}, bias = false)
        @BatchNorm(eps = 0.001, name = "bn") @ReLU Layer conv();
    }
}
