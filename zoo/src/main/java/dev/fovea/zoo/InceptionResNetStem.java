package dev.fovea.zoo;

import dev.fovea.annotations.AvgPool2d;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;

/**
 * Inception-ResNet-v2's mixed_5b, the Inception-A module that ends the stem at 35x35x320. Keras' 'same'
 * average pooling averages only the input's own values at the border: countIncludePad = false.
 */
@Block
public @interface InceptionResNetStem {
    interface Layers {
        @KerasConvBn(filters = 96) Layer branch0();
        @From(Layer.INPUT) @KerasConvBn(filters = 48) Layer branch1a();
        @KerasConvBn(filters = 64, kernel = 5) Layer branch1b();
        @From(Layer.INPUT) @KerasConvBn(filters = 64) Layer branch2a();
        @KerasConvBn(filters = 96, kernel = 3) Layer branch2b();
        @KerasConvBn(filters = 96, kernel = 3) Layer branch2c();
        @From(Layer.INPUT) @AvgPool2d(kernel = 3, stride = 1, padding = 1, countIncludePad = false) Layer pool();
        @KerasConvBn(filters = 64) Layer branchPool();
        @Concat({"branch0", "branch1b", "branch2c", "branchPool"}) Layer out();
    }
}
