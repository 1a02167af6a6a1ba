package dev.fovea.zoo;

import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Dropout;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Name;
import dev.fovea.annotations.Network;

/**
 * Inception v3 (Szegedy et al., "Rethinking the Inception Architecture", 2016), as torchvision builds it
 * for 299x299 images: a stem of unpadded 3x3 convolutions, three modules on the 35x35 grid, a reduction,
 * four modules on the 17x17 grid with 7x7 convolutions factorised into 1x7 and 7x1, a reduction, two
 * modules on the 8x8 grid, global average pooling and a 1000-way classifier. Every convolution is
 * torchvision's BasicConv2d (no bias, batch norm with eps 0.001, ReLU), under torchvision's names.
 *
 * <p>Figures, from Debian's torchvision 0.14 ({@code it-tests/scripts/torchvision_figures.py inception_v3}):
 * 23,834,568 parameters and 5,713,216,096 multiply-adds without the auxiliary classifier, which only
 * training uses and which Fovea leaves out; torchvision's documentation lists 27,161,264 parameters, which
 * include it (3,326,696 more). The paper gives 5 billion multiply-adds and "about 25 million" parameters
 * for its own variant.
 */
@Network(input = {3, 299, 299})
@Expect(params = 23_834_568, macs = 5_713_216_096L, output = 1000)
public interface InceptionV3 {
    @BasicConv2d(filters = 32, kernel = 3, stride = 2) @Name("Conv2d_1a_3x3") Layer conv1a();
    @BasicConv2d(filters = 32, kernel = 3) @Name("Conv2d_2a_3x3") Layer conv2a();
    @BasicConv2d(filters = 64, kernel = 3, padding = 1) @Name("Conv2d_2b_3x3") Layer conv2b();
    @MaxPool2d(kernel = 3, stride = 2) Layer maxpool1();
    @BasicConv2d(filters = 80) @Name("Conv2d_3b_1x1") Layer conv3b();
    @BasicConv2d(filters = 192, kernel = 3) @Name("Conv2d_4a_3x3") Layer conv4a();
    @MaxPool2d(kernel = 3, stride = 2) Layer maxpool2();
    @InceptionA(poolFeatures = 32) @Name("Mixed_5b") Layer mixed5b();
    @InceptionA(poolFeatures = 64) @Name("Mixed_5c") Layer mixed5c();
    @InceptionA(poolFeatures = 64) @Name("Mixed_5d") Layer mixed5d();
    @InceptionB @Name("Mixed_6a") Layer mixed6a();
    @InceptionC(c7 = 128) @Name("Mixed_6b") Layer mixed6b();
    @InceptionC(c7 = 160) @Name("Mixed_6c") Layer mixed6c();
    @InceptionC(c7 = 160) @Name("Mixed_6d") Layer mixed6d();
    @InceptionC(c7 = 192) @Name("Mixed_6e") Layer mixed6e();
    @InceptionD @Name("Mixed_7a") Layer mixed7a();
    @InceptionE @Name("Mixed_7b") Layer mixed7b();
    @InceptionE @Name("Mixed_7c") Layer mixed7c();
    @GlobalAvgPool Layer avgpool();
    @Flatten @Dropout Layer flatten();
    @Dense(units = 1000) Layer fc();
}
