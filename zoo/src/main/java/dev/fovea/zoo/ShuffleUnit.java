package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.ChannelShuffle;
import dev.fovea.annotations.ChannelSplit;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.DepthwiseConv2d;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/**
 * ShuffleNet v2's basic unit (stride 1), as torchvision names it: the input's first half passes as it is,
 * the second goes through 1x1, depthwise 3x3 and 1x1 convolutions of {@code branch} channels; joined and
 * shuffled in two groups, so the next unit's halves mix both.
 */
@Block
public @interface ShuffleUnit {
    int branch();

    interface Layers {
        int branch = 58;

        @ChannelSplit(part = 0) Layer left();
        @From(Layer.INPUT) @ChannelSplit(part = 1) Layer right();
        @Conv2d(filters = branch, kernel = 1, bias = false, name = "branch2.0") @BatchNorm(name = "branch2.1") @ReLU Layer rightExpand();
        @DepthwiseConv2d(kernel = 3, padding = 1, bias = false, name = "branch2.3") @BatchNorm(name = "branch2.4") Layer rightDepthwise();
        @Conv2d(filters = branch, kernel = 1, bias = false, name = "branch2.5") @BatchNorm(name = "branch2.6") @ReLU Layer rightProject();
        @Concat({"left", "rightProject"}) @ChannelShuffle(2) Layer out();
    }
}
