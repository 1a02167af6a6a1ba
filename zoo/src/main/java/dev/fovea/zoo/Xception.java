package dev.fovea.zoo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.DepthwiseConv2d;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.Repeat;

/**
 * Xception (Chollet, 2017), as Keras applications builds it for 299x299 images: depthwise separable
 * convolutions throughout, an entry flow of three downsampling blocks, a middle flow of eight residual
 * blocks of 728 channels, an exit flow, global average pooling and a 1000-way classifier.
 *
 * <p>Figures: Keras applications' {@code Xception().count_params()} is 22,910,480, of which 54,528 are
 * batch norm's moving means and variances (27,264 channels of batch norm, two each), which Fovea counts
 * apart as buffers: 22,855,952 learned parameters. The paper gives "about 22.8 million"; neither gives
 * an exact multiply-add count. Keras' batch norm epsilon is 1e-3 (the projection shortcuts' norms here
 * keep the DSL's 1e-5: only the numbers, not the counts, differ).
 */
@Network(input = {3, 299, 299})
@Expect(params = 22_855_952, output = 1000)
public interface Xception {
    @Conv2d(filters = 32, kernel = 3, stride = 2, bias = false) @BatchNorm(eps = 1e-3, name = "block1_conv1_bn") @ReLU Layer block1Conv1();
    @Conv2d(filters = 64, kernel = 3, bias = false) @BatchNorm(eps = 1e-3, name = "block1_conv2_bn") @ReLU Layer block1Conv2();
    @XceptionDown(filters = 128) Layer block2();
    @XceptionDown(filters = 256, poolPadding = 0, ceil = true) Layer block3();
    @XceptionDown(filters = 728) Layer block4();
    @XceptionMiddle @Repeat(8) Layer middle();
    @XceptionDown(filters = 1024, first = 728) Layer block13();
    @DepthwiseConv2d(kernel = 3, padding = 1, bias = false) Layer block14Sepconv1Depthwise();
    @Conv2d(filters = 1536, kernel = 1, bias = false) @BatchNorm(eps = 1e-3, name = "block14_sepconv1_bn") @ReLU Layer block14Sepconv1Pointwise();
    @DepthwiseConv2d(kernel = 3, padding = 1, bias = false) Layer block14Sepconv2Depthwise();
    @Conv2d(filters = 2048, kernel = 1, bias = false) @BatchNorm(eps = 1e-3, name = "block14_sepconv2_bn") @ReLU Layer block14Sepconv2Pointwise();
    @GlobalAvgPool Layer avgPool();
    @Flatten Layer flatten();
    @Dense(units = 1000) Layer predictions();
}
