package dev.fovea.zoo;

import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;

/** Inception-ResNet-v2's mixed_6a (the paper's Reduction-A, k=256, l=256, m=384, n=384): 35x35x320 to 17x17x1088. */
@Block
public @interface ReductionA {
    interface Layers {
        @KerasConvBn(filters = 384, kernel = 3, stride = 2, valid = true) Layer branch0();
        @From(Layer.INPUT) @KerasConvBn(filters = 256) Layer branch1a();
        @KerasConvBn(filters = 256, kernel = 3) Layer branch1b();
        @KerasConvBn(filters = 384, kernel = 3, stride = 2, valid = true) Layer branch1c();
        @From(Layer.INPUT) @MaxPool2d(kernel = 3, stride = 2) Layer pool();
        @Concat({"branch0", "branch1c", "pool"}) Layer out();
    }
}
