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
 * The Y block of the AnyNet design space, RegNetY's: the X block with squeeze-and-excitation after the
 * grouped convolution, squeezing to a quarter of the block's input width ({@code inWidth}: the
 * previous stage's width in a stage's first block, the stage's own after it).
 */
@Block
public @interface RegNetYBlock {
    int width();

    int groupWidth();

    @FirstOnly int stride() default 1;

    /** The block's input width where it differs from {@code width}, in the first block of a stage. */
    @FirstOnly int inWidth() default 0;

    interface Layers {
        int width = 0, groupWidth = 1, stride = 1, inWidth = 0;  // groupWidth 1 keeps width / groupWidth a constant
        int squeezed = (inWidth > 0 ? inWidth : width) / 4;

        @Conv2d(filters = width, kernel = 1, bias = false, name = "f.a.0") @BatchNorm(name = "f.a.1") @ReLU Layer a();
        @Conv2d(filters = width, kernel = 3, stride = stride, padding = 1, groups = width / groupWidth, bias = false, name = "f.b.0")
        @BatchNorm(name = "f.b.1") @ReLU Layer b();
        @GlobalAvgPool Layer squeeze();
        @Conv2d(filters = squeezed, kernel = 1, name = "f.se.fc1") @ReLU Layer fc1();
        @Conv2d(filters = width, kernel = 1, name = "f.se.fc2") @Sigmoid Layer fc2();
        @Scale(from = "b") Layer excite();
        @Conv2d(filters = width, kernel = 1, bias = false, name = "f.c.0") @BatchNorm(name = "f.c.1") Layer c();
        @Add(shortcut = Shortcut.PROJECTION, projectionName = "proj") @ReLU Layer out();
    }
}
