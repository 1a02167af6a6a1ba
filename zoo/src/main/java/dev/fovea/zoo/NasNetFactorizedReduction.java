package dev.fovea.zoo;

import dev.fovea.annotations.AvgPool2d;
import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Crop;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.ZeroPad;

/**
 * How a NASNet cell brings the cell two back to its own size when that one is twice as high and wide
 * (Keras' {@code _adjust_block}, reduction branch, the paper's factorised reduction): after a ReLU, two
 * paths of a 1x1 average pool of stride 2 and a 1x1 convolution to half the filters each, the second
 * shifted by one row and column first (padded at the bottom and right, cropped at the top and left) so
 * that it samples the pixels the first skips; concatenated and batch-normalised.
 */
@Block
public @interface NasNetFactorizedReduction {
    int filters();

    interface Layers {
        int filters = 44;

        @ReLU Layer relu();
        @AvgPool2d(kernel = 1, stride = 2) @Conv2d(filters = filters / 2, kernel = 1, bias = false) Layer path1();
        @From("relu") @ZeroPad(bottom = 1, right = 1) @Crop(top = 1, left = 1) @AvgPool2d(kernel = 1, stride = 2)
        @Conv2d(filters = filters / 2, kernel = 1, bias = false) Layer path2();
        @Concat({"path1", "path2"}) @BatchNorm(eps = 1e-3, momentum = 3e-4, name = "bn") Layer out();
    }
}
