package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/**
 * How a NASNet cell brings the cell two back to its own width when that one has the same height and width
 * (Keras' {@code _adjust_block}, projection branch): ReLU, 1x1 convolution without bias, batch norm.
 */
@Block
public @interface NasNetProjection {
    int filters();

    interface Layers {
        int filters = 44;

        @ReLU @Conv2d(filters = filters, kernel = 1, bias = false) @BatchNorm(eps = 1e-3, momentum = 3e-4, name = "bn") Layer conv();
    }
}
