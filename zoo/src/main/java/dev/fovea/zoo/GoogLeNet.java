package dev.fovea.zoo;

import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Dropout;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Network;

/**
 * GoogLeNet (Inception v1) as torchvision builds it, without the auxiliary heads: batch norm in every
 * unit, ceil-mode pooling, and nine Inception modules with the paper's numbers.
 */
@Network(input = {3, 224, 224})
@Expect(params = 6_624_904, macs = 1_498_376_192L, output = 1000)
public interface GoogLeNet {
    @BasicConv2d(filters = 64, kernel = 7, stride = 2, padding = 3) Layer conv1();
    @MaxPool2d(kernel = 3, stride = 2, ceilMode = true) Layer maxpool1();
    @BasicConv2d(filters = 64) Layer conv2();
    @BasicConv2d(filters = 192, kernel = 3, padding = 1) Layer conv3();
    @MaxPool2d(kernel = 3, stride = 2, ceilMode = true) Layer maxpool2();
    @Inception(c1 = 64, c3r = 96, c3 = 128, c5r = 16, c5 = 32, poolProj = 32) Layer inception3a();
    @Inception(c1 = 128, c3r = 128, c3 = 192, c5r = 32, c5 = 96, poolProj = 64) Layer inception3b();
    @MaxPool2d(kernel = 3, stride = 2, ceilMode = true) Layer maxpool3();
    @Inception(c1 = 192, c3r = 96, c3 = 208, c5r = 16, c5 = 48, poolProj = 64) Layer inception4a();
    @Inception(c1 = 160, c3r = 112, c3 = 224, c5r = 24, c5 = 64, poolProj = 64) Layer inception4b();
    @Inception(c1 = 128, c3r = 128, c3 = 256, c5r = 24, c5 = 64, poolProj = 64) Layer inception4c();
    @Inception(c1 = 112, c3r = 144, c3 = 288, c5r = 32, c5 = 64, poolProj = 64) Layer inception4d();
    @Inception(c1 = 256, c3r = 160, c3 = 320, c5r = 32, c5 = 128, poolProj = 128) Layer inception4e();
    @MaxPool2d(kernel = 2, stride = 2, ceilMode = true) Layer maxpool4();
    @Inception(c1 = 256, c3r = 160, c3 = 320, c5r = 32, c5 = 128, poolProj = 128) Layer inception5a();
    @Inception(c1 = 384, c3r = 192, c3 = 384, c5r = 48, c5 = 128, poolProj = 128) Layer inception5b();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dropout(rate = 0.2) @Dense(units = 1000) Layer fc();
}
