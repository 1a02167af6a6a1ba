package dev.fovea.zoo;

import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/** SqueezeNet's fire module: a 1x1 squeeze, then 1x1 and 3x3 expansions side by side, concatenated. */
@Block
public @interface Fire {
    int squeeze();

    int expand1x1();

    int expand3x3();

    interface Layers {
        int squeeze = 0, expand1x1 = 0, expand3x3 = 0;

        @Conv2d(filters = squeeze, kernel = 1) @ReLU Layer squeeze();
        @Conv2d(filters = expand1x1, kernel = 1) @ReLU Layer expand1x1();
        @From("squeeze") @Conv2d(filters = expand3x3, kernel = 3, padding = 1) @ReLU Layer expand3x3();
        @Concat({"expand1x1", "expand3x3"}) Layer out();
    }
}
