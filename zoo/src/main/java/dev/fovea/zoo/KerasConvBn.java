package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/**
 * Keras applications' {@code conv2d_bn} (Inception v3, Inception-ResNet-v2): a convolution without bias,
 * batch norm that learns no scale (Keras' defaults: epsilon 1e-3, momentum 0.99), ReLU. The kernel is
 * kernel x kernelW (kernelW defaults to kernel); {@code valid} leaves the input unpadded, otherwise it is
 * padded to keep its size, as Keras' 'same' does at stride 1.
 */
@Block
public @interface KerasConvBn {
    int filters();

    int kernel() default 1;

    int kernelW() default -1;

    int stride() default 1;

    boolean valid() default false;

    interface Layers {
        int filters = 32, kernel = 1, kernelW = -1, stride = 1;
        boolean valid = false;
        int width = kernelW < 0 ? kernel : kernelW;
        int padH = valid ? 0 : (kernel - 1) / 2;
        int padW = valid ? 0 : (width - 1) / 2;

        @Conv2d(filters = filters, kernel = {kernel, width}, stride = stride, padding = {padH, padW}, bias = false)
        @BatchNorm(eps = 1e-3, momentum = 0.01, scale = false, name = "bn") @ReLU Layer conv();
    }
}
