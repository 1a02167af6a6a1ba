package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Multiply;
import dev.fovea.annotations.ReLU;

/** Inception-ResNet-v2's block35 on the 35x35 grid: three branches, a linear 1x1 back to 320 channels scaled by 0.17, added to the input. */
@Block
public @interface InceptionResNetA {
    interface Layers {
        @KerasConvBn(filters = 32) Layer branch0();
        @From(Layer.INPUT) @KerasConvBn(filters = 32) Layer branch1a();
        @KerasConvBn(filters = 32, kernel = 3) Layer branch1b();
        @From(Layer.INPUT) @KerasConvBn(filters = 32) Layer branch2a();
        @KerasConvBn(filters = 48, kernel = 3) Layer branch2b();
        @KerasConvBn(filters = 64, kernel = 3) Layer branch2c();
        @Concat({"branch0", "branch1b", "branch2c"}) Layer mixed();
        @Conv2d(filters = 320, kernel = 1) @Multiply(0.17) Layer up();
        @Add @ReLU Layer out();
    }
}
