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
 * ResNet's bottleneck block as torchvision builds it (ResNet v1.5: the stride sits on the 3x3
 * convolution). {@code groups} and {@code baseWidth} make it ResNeXt's (32 groups of 4) and Wide
 * ResNet's (base width 128); the output is always {@code 4 * planes}.
 */
@Block
public @interface Bottleneck {
    int planes();

    @FirstOnly int stride() default 1;

    int groups() default 1;

    int baseWidth() default 64;

    interface Layers {
        int planes = 64, stride = 1, groups = 1, baseWidth = 64;
        int width = planes * baseWidth / 64 * groups;

        @Conv2d(filters = width, kernel = 1, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
        @Conv2d(filters = width, kernel = 3, stride = stride, padding = 1, groups = groups, bias = false) @BatchNorm(name = "bn2") @ReLU Layer conv2();
        @Conv2d(filters = 4 * planes, kernel = 1, bias = false) @BatchNorm(name = "bn3") Layer conv3();
        @Add(shortcut = Shortcut.PROJECTION) @ReLU Layer out();
    }
}
