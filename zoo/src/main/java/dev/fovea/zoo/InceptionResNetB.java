package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Multiply;
import dev.fovea.annotations.ReLU;

/** Inception-ResNet-v2's block17 on the 17x17 grid: a 1x1 branch and a 1x7, 7x1 branch, back to 1088 channels scaled by 0.1, added. */
@Block
public @interface InceptionResNetB {
    interface Layers {
        @KerasConvBn(filters = 192) Layer branch0();
        @From(Layer.INPUT) @KerasConvBn(filters = 128) Layer branch1a();
        @KerasConvBn(filters = 160, kernel = 1, kernelW = 7) Layer branch1b();
        @KerasConvBn(filters = 192, kernel = 7, kernelW = 1) Layer branch1c();
        @Concat({"branch0", "branch1c"}) Layer mixed();
        @Conv2d(filters = 1088, kernel = 1) @Multiply(0.1) Layer up();
        @Add @ReLU Layer out();
    }
}
