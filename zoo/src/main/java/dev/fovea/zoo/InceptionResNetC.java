package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Multiply;
import dev.fovea.annotations.ReLU;

/**
 * Inception-ResNet-v2's block8 on the 8x8 grid: a 1x1 branch and a 1x3, 3x1 branch, back to 2080 channels
 * scaled by 0.2, added. (The network's tenth and last block8 has no scale and no ReLU; it is written out there.)
 */
@Block
public @interface InceptionResNetC {
    interface Layers {
        @KerasConvBn(filters = 192) Layer branch0();
        @From(Layer.INPUT) @KerasConvBn(filters = 192) Layer branch1a();
        @KerasConvBn(filters = 224, kernel = 1, kernelW = 3) Layer branch1b();
        @KerasConvBn(filters = 256, kernel = 3, kernelW = 1) Layer branch1c();
        @Concat({"branch0", "branch1c"}) Layer mixed();
        @Conv2d(filters = 2080, kernel = 1) @Multiply(0.2) Layer up();
        @Add @ReLU Layer out();
    }
}
