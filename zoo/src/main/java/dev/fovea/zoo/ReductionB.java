package dev.fovea.zoo;

import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;

/** Inception-ResNet-v2's mixed_7a (the paper's Reduction-B): 17x17x1088 to 8x8x2080. */
@Block
public @interface ReductionB {
    interface Layers {
        @KerasConvBn(filters = 256) Layer branch0a();
        @KerasConvBn(filters = 384, kernel = 3, stride = 2, valid = true) Layer branch0b();
        @From(Layer.INPUT) @KerasConvBn(filters = 256) Layer branch1a();
        @KerasConvBn(filters = 288, kernel = 3, stride = 2, valid = true) Layer branch1b();
        @From(Layer.INPUT) @KerasConvBn(filters = 256) Layer branch2a();
        @KerasConvBn(filters = 288, kernel = 3) Layer branch2b();
        @KerasConvBn(filters = 320, kernel = 3, stride = 2, valid = true) Layer branch2c();
        @From(Layer.INPUT) @MaxPool2d(kernel = 3, stride = 2) Layer pool();
        @Concat({"branch0b", "branch1b", "branch2c", "pool"}) Layer out();
    }
}
