package dev.fovea.zoo;

import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/** One 3x3 convolution with ReLU, as VGG stacks them: {@code @VggConv(width = 64) @Repeat(2)}. */
@Block
public @interface VggConv {
    int width();

    interface Layers {
        int width = 0;

        @Conv2d(filters = width, kernel = 3, padding = 1) @ReLU Layer conv();
    }
}
