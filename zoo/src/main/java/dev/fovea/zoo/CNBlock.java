package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.DepthwiseConv2d;
import dev.fovea.annotations.GELU;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.LayerNorm;
import dev.fovea.annotations.LayerScale;

/**
 * ConvNeXt's block (Liu et al. 2022): 7x7 depthwise convolution, layer norm over the channels, an
 * inverted bottleneck of two pointwise linear layers (4x wider, GELU), a learned per-channel scale,
 * and the identity added. Stochastic depth, a training-only regulariser, leaves inference unchanged.
 */
@Block
public @interface CNBlock {
    int dim();

    interface Layers {
        int dim = 96;

        @DepthwiseConv2d(kernel = 7, padding = 3, name = "block.0") Layer dwconv();
        @LayerNorm(eps = 1e-6, name = "block.2") Layer norm();
        @Dense(units = 4 * dim, pointwise = true, name = "block.3") @GELU Layer pwconv1();
        @Dense(units = dim, pointwise = true, name = "block.5") Layer pwconv2();
        @LayerScale(name = "layer_scale") Layer scale();
        @Add Layer out();
    }
}
