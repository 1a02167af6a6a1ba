package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.FirstOnly;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.Scale;
import dev.fovea.annotations.Shortcut;
import dev.fovea.annotations.Sigmoid;

/**
 * A bottleneck with squeeze-and-excitation (Hu et al. 2018): the block's output channels are pooled,
 * squeezed by {@code reduction}, and turned into one gate per channel that rescales them before the
 * shortcut is added.
 */
@Block
public @interface SeBottleneck {
    int planes();

    @FirstOnly int stride() default 1;

    int reduction() default 16;

    interface Layers {
        int planes = 64, stride = 1, reduction = 16;

        @Conv2d(filters = planes, kernel = 1, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
        @Conv2d(filters = planes, kernel = 3, stride = stride, padding = 1, bias = false) @BatchNorm(name = "bn2") @ReLU Layer conv2();
        @Conv2d(filters = 4 * planes, kernel = 1, bias = false) @BatchNorm(name = "bn3") Layer conv3();
        @GlobalAvgPool Layer squeeze();
        @Conv2d(filters = 4 * planes / reduction, kernel = 1, name = "se.fc1") @ReLU Layer fc1();
        @Conv2d(filters = 4 * planes, kernel = 1, name = "se.fc2") @Sigmoid Layer fc2();
        @Scale(from = "conv3") Layer excite();
        @Add(shortcut = Shortcut.PROJECTION) @ReLU Layer out();
    }
}
