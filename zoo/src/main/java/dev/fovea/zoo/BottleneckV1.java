package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.FirstOnly;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.Shortcut;

/**
 * The bottleneck of He et al. 2015 (ResNet v1): the stride sits on the first 1x1 convolution, which is
 * cheaper than torchvision's v1.5 placement and what the paper's FLOPs table counts.
 */
@Block
public @interface BottleneckV1 {
    int planes();

    @FirstOnly int stride() default 1;

    interface Layers {
        int planes = 64, stride = 1;

        @Conv2d(filters = planes, kernel = 1, stride = stride, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
        @Conv2d(filters = planes, kernel = 3, padding = 1, bias = false) @BatchNorm(name = "bn2") @ReLU Layer conv2();
        @Conv2d(filters = 4 * planes, kernel = 1, bias = false) @BatchNorm(name = "bn3") Layer conv3();
        @Add(shortcut = Shortcut.PROJECTION) @ReLU Layer out();
    }
}
