package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.ChannelShuffle;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.DepthwiseConv2d;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/**
 * ShuffleNet v2's downsampling unit (stride 2), as torchvision names it: both branches see the whole input,
 * each ends with {@code branch} channels; joined and shuffled in two groups.
 */
@Block
public @interface ShuffleDown {
    int branch();

    interface Layers {
        int branch = 58;

        @DepthwiseConv2d(kernel = 3, stride = 2, padding = 1, bias = false, name = "branch1.0") @BatchNorm(name = "branch1.1") Layer left();
        @Conv2d(filters = branch, kernel = 1, bias = false, name = "branch1.2") @BatchNorm(name = "branch1.3") @ReLU Layer leftProject();
        @From(Layer.INPUT) @Conv2d(filters = branch, kernel = 1, bias = false, name = "branch2.0") @BatchNorm(name = "branch2.1") @ReLU
        Layer right();
        @DepthwiseConv2d(kernel = 3, stride = 2, padding = 1, bias = false, name = "branch2.3") @BatchNorm(name = "branch2.4") Layer rightDepthwise();
        @Conv2d(filters = branch, kernel = 1, bias = false, name = "branch2.5") @BatchNorm(name = "branch2.6") @ReLU Layer rightProject();
        @Concat({"leftProject", "rightProject"}) @ChannelShuffle(2) Layer out();
    }
}
