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
 * The X block of the AnyNet design space (Radosavovic et al. 2020), RegNetX's: a residual bottleneck
 * with bottleneck ratio 1 and grouped 3x3 convolutions of {@code groupWidth} channels per group.
 * Names follow torchvision ({@code f.a.0}, {@code proj.0}, ...).
 */
@Block
public @interface RegNetBlock {
    int width();

    int groupWidth();

    @FirstOnly int stride() default 1;

    interface Layers {
        int width = 0, groupWidth = 1, stride = 1;  // placeholder values only need to keep width / groupWidth a constant

        @Conv2d(filters = width, kernel = 1, bias = false, name = "f.a.0") @BatchNorm(name = "f.a.1") @ReLU Layer a();
        @Conv2d(filters = width, kernel = 3, stride = stride, padding = 1, groups = width / groupWidth, bias = false, name = "f.b.0")
        @BatchNorm(name = "f.b.1") @ReLU Layer b();
        @Conv2d(filters = width, kernel = 1, bias = false, name = "f.c.0") @BatchNorm(name = "f.c.1") Layer c();
        @Add(shortcut = Shortcut.PROJECTION, projectionName = "proj") @ReLU Layer out();
    }
}
