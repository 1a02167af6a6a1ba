package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.AvgPool2d;
import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/**
 * NASNet-A's normal cell (Zoph et al. 2018, figure 4 left; Keras applications' {@code _normal_a_cell}).
 * Its input is the cell before; its second input is the cell before that, already brought to
 * {@code filters} channels of the same size ({@link NasNetProjection} or {@link NasNetFactorizedReduction}).
 * Five pairs of operations, each pair added, are concatenated with the second input: 6 x filters channels,
 * the height and width unchanged. TensorFlow's "same" average pooling divides by the pixels inside the map
 * only ({@code countIncludePad = false}).
 */
@Block
public @interface NasNetNormalCell {
    int filters();

    interface Layers {
        int filters = 44;

        @ReLU @Conv2d(filters = filters, kernel = 1, bias = false) @BatchNorm(eps = 1e-3, momentum = 3e-4, name = "bn1") Layer conv1();

        @NasNetSeparable(filters = filters, kernel = 5) Layer left1();
        @From(Layer.SECOND_INPUT) @NasNetSeparable(filters = filters) Layer right1();
        @Add(from = "left1") Layer add1();

        @From(Layer.SECOND_INPUT) @NasNetSeparable(filters = filters, kernel = 5) Layer left2();
        @From(Layer.SECOND_INPUT) @NasNetSeparable(filters = filters) Layer right2();
        @Add(from = "left2") Layer add2();

        @From("conv1") @AvgPool2d(kernel = 3, stride = 1, padding = 1, countIncludePad = false) Layer left3();
        @Add(from = Layer.SECOND_INPUT) Layer add3();

        @From(Layer.SECOND_INPUT) @AvgPool2d(kernel = 3, stride = 1, padding = 1, countIncludePad = false) Layer left4();
        @From(Layer.SECOND_INPUT) @AvgPool2d(kernel = 3, stride = 1, padding = 1, countIncludePad = false) Layer right4();
        @Add(from = "left4") Layer add4();

        @From("conv1") @NasNetSeparable(filters = filters) Layer left5();
        @Add(from = "conv1") Layer add5();

        @Concat({Layer.SECOND_INPUT, "add1", "add2", "add3", "add4", "add5"}) Layer out();
    }
}
