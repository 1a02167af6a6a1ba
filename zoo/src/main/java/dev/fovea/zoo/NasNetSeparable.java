package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.DepthwiseConv2d;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.ZeroPad;

/**
 * NASNet's separable operation (Keras applications' {@code _separable_conv_block}): twice ReLU, a
 * depthwise separable convolution (depthwise kernel x kernel, then pointwise 1x1, no biases) and batch
 * norm. Only the first is strided.
 *
 * <p>At stride 1 the depthwise convolutions pad kernel / 2 on every side (TensorFlow's "same"). At
 * stride 2 Keras pads explicitly first, as {@code imagenet_utils.correct_pad} says: kernel / 2 after the
 * map, and before it kernel / 2 on maps of odd size but one fewer on maps of even size.
 */
@Block
public @interface NasNetSeparable {
    int filters();

    int kernel() default 3;

    int stride() default 1;

    /** Whether the block's input has an even height and width; decides the padding before a strided map. */
    boolean evenInput() default true;

    interface Layers {
        int filters = 44, kernel = 3, stride = 1;
        boolean evenInput = true;
        int padBefore = stride == 1 ? 0 : evenInput ? kernel / 2 - 1 : kernel / 2;
        int padAfter = stride == 1 ? 0 : kernel / 2;
        int samePadding = stride == 1 ? kernel / 2 : 0;

        @ReLU
        @ZeroPad(top = padBefore, left = padBefore, bottom = padAfter, right = padAfter)
        @DepthwiseConv2d(kernel = kernel, stride = stride, padding = samePadding, bias = false, name = "separable1.depthwise")
        @Conv2d(filters = filters, kernel = 1, bias = false, name = "separable1.pointwise")
        @BatchNorm(eps = 1e-3, momentum = 3e-4, name = "bn1") Layer separable1();

        @ReLU
        @DepthwiseConv2d(kernel = kernel, padding = kernel / 2, bias = false, name = "separable2.depthwise")
        @Conv2d(filters = filters, kernel = 1, bias = false, name = "separable2.pointwise")
        @BatchNorm(eps = 1e-3, momentum = 3e-4, name = "bn2") Layer separable2();
    }
}
