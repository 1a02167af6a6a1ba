package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.DepthwiseConv2d;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.Shortcut;

/**
 * Xception's entry- and exit-flow block: two separable convolutions (a 3x3 depthwise and a 1x1 pointwise
 * convolution, neither with a bias, as Keras' SeparableConv2D), each after a ReLU and before a batch
 * norm, then a 3x3 max pool of stride 2 with TensorFlow's "same" padding, added to the block's input brought to the
 * same shape by a 1x1 convolution of stride 2 and a batch norm. The first block of the entry flow has no
 * ReLU in front in Keras; its input is already a ReLU's output, so the one here changes nothing.
 *
 * <p>"Same" padding of a 3x3 window at stride 2 is one row and column on each side on maps of odd size;
 * on even ones it is none before and one after, which is PyTorch's ceil mode without padding
 * ({@code poolPadding = 0, ceil = true}).
 */
@Block
public @interface XceptionDown {
    /** The second separable convolution's channels. */
    int filters();

    /** The first one's (the exit flow's block narrows to 728 first); 0: {@link #filters}. */
    int first() default 0;

    int poolPadding() default 1;

    boolean ceil() default false;

    interface Layers {
        int filters = 128, first = 0, poolPadding = 1;
        boolean ceil = false;
        int width = first == 0 ? filters : first;

        @ReLU Layer relu1();
        @DepthwiseConv2d(kernel = 3, padding = 1, bias = false) Layer sepconv1Depthwise();
        @Conv2d(filters = width, kernel = 1, bias = false) @BatchNorm(eps = 1e-3, name = "sepconv1_bn") Layer sepconv1Pointwise();
        @ReLU Layer relu2();
        @DepthwiseConv2d(kernel = 3, padding = 1, bias = false) Layer sepconv2Depthwise();
        @Conv2d(filters = filters, kernel = 1, bias = false) @BatchNorm(eps = 1e-3, name = "sepconv2_bn") Layer sepconv2Pointwise();
        @MaxPool2d(kernel = 3, stride = 2, padding = poolPadding, ceilMode = ceil) Layer pool();
        @Add(shortcut = Shortcut.PROJECTION, projectionName = "residual") Layer out();
    }
}
