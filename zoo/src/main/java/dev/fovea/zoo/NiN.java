package dev.fovea.zoo;

import dev.fovea.annotations.Dropout;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Network;

/**
 * Network in Network (Lin et al. 2013) for ImageNet, as Dive into Deep Learning builds it: AlexNet's
 * sizes in mlpconv blocks, and no dense layers at all: the last block has one channel per class and
 * global average pooling turns it into the scores.
 */
@Network(input = {3, 224, 224})
@Expect(params = 7_439_608, macs = 965_572_864L, output = 1000)
@SuppressWarnings("Fovea/DropsBorder") // its 11x11 stride-4 convolution and its poolings skip one row, as the reference does
public interface NiN {
    @NinBlock(filters = 96, kernel = 11, stride = 4) Layer block1();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool1();
    @NinBlock(filters = 256, kernel = 5, padding = 2) Layer block2();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool2();
    @NinBlock(filters = 384, kernel = 3, padding = 1) Layer block3();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool3();
    @Dropout Layer dropout();
    @NinBlock(filters = 1000, kernel = 3, padding = 1) Layer block4();
    @GlobalAvgPool Layer gap();
    @Flatten Layer flatten();
}
