package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.AvgPool2d;
import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.From;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.ZeroPad;

/**
 * NASNet-A's reduction cell (Zoph et al. 2018, figure 4 right; Keras applications' {@code _reduction_a_cell}):
 * halves the height and width and ends with 4 x filters channels. Its inputs are as in
 * {@link NasNetNormalCell}. The pools of stride 2 read the 1x1 convolution's output padded with zeros the
 * way Keras' {@code correct_pad} pads a 3x3 window (one row and column after the map, and one before on maps
 * of odd size): zeros, not minus infinity, for the max pools, and counted by the average pool.
 */
@Block
public @interface NasNetReductionCell {
    int filters();

    /** Whether the cell's input has an even height and width (all but the first reduction of the stem). */
    boolean evenInput() default true;

    interface Layers {
        int filters = 44;
        boolean evenInput = true;
        int padBefore = evenInput ? 0 : 1;

        @ReLU @Conv2d(filters = filters, kernel = 1, bias = false) @BatchNorm(eps = 1e-3, momentum = 3e-4, name = "bn1") Layer conv1();
        @ZeroPad(top = padBefore, left = padBefore, bottom = 1, right = 1) Layer padded();

        @From("conv1") @NasNetSeparable(filters = filters, kernel = 5, stride = 2, evenInput = evenInput) Layer left1();
        @From(Layer.SECOND_INPUT) @NasNetSeparable(filters = filters, kernel = 7, stride = 2, evenInput = evenInput) Layer right1();
        @Add(from = "left1") Layer add1();

        @From("padded") @MaxPool2d(kernel = 3, stride = 2) Layer left2();
        @From(Layer.SECOND_INPUT) @NasNetSeparable(filters = filters, kernel = 7, stride = 2, evenInput = evenInput) Layer right2();
        @Add(from = "left2") Layer add2();

        @From("padded") @AvgPool2d(kernel = 3, stride = 2) Layer left3();
        @From(Layer.SECOND_INPUT) @NasNetSeparable(filters = filters, kernel = 5, stride = 2, evenInput = evenInput) Layer right3();
        @Add(from = "left3") Layer add3();

        @From("add1") @AvgPool2d(kernel = 3, stride = 1, padding = 1, countIncludePad = false) Layer left4();
        @Add(from = "add2") Layer add4();

        @From("add1") @NasNetSeparable(filters = filters) Layer left5();
        @From("padded") @MaxPool2d(kernel = 3, stride = 2) Layer right5();
        @Add(from = "left5") Layer add5();

        @Concat({"add2", "add3", "add4", "add5"}) Layer out();
    }
}
