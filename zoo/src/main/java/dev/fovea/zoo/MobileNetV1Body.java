package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.Repeat;

/**
 * MobileNet v1 (Howard et al. 2017), table 1 of the paper and of the seed lecture, for any width
 * multiplier: a strided 3x3 convolution, thirteen depthwise separable convolutions, global average
 * pooling and a 1000-way classifier. The resolution multiplier is the network's input size.
 */
@Block
public @interface MobileNetV1Body {
    double alpha() default 1.0;

    interface Layers {
        double alpha = 1.0;

        @Conv2d(filters = (int) (32 * alpha), kernel = 3, stride = 2, padding = 1, bias = false) @BatchNorm @ReLU Layer stem();
        @DepthwiseSeparable(filters = 64, alpha = alpha) Layer sep1();
        @DepthwiseSeparable(filters = 128, alpha = alpha, stride = 2) Layer sep2();
        @DepthwiseSeparable(filters = 128, alpha = alpha) Layer sep3();
        @DepthwiseSeparable(filters = 256, alpha = alpha, stride = 2) Layer sep4();
        @DepthwiseSeparable(filters = 256, alpha = alpha) Layer sep5();
        @DepthwiseSeparable(filters = 512, alpha = alpha, stride = 2) Layer sep6();
        @DepthwiseSeparable(filters = 512, alpha = alpha) @Repeat(5) Layer sep7();
        @DepthwiseSeparable(filters = 1024, alpha = alpha, stride = 2) Layer sep12();
        // The paper's table marks this one "s2" but keeps 7x7; every implementation uses stride 1.
        @DepthwiseSeparable(filters = 1024, alpha = alpha) Layer sep13();
        @GlobalAvgPool Layer avgpool();
        @Flatten Layer flatten();
        @Dense(units = 1000) Layer fc();
    }
}
