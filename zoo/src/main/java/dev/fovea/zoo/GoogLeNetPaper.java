package dev.fovea.zoo;

import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Dropout;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.LocalResponseNorm;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;

/**
 * GoogLeNet as Szegedy et al. (2014) describe it, without the auxiliary classifiers: local response
 * normalisation after the first convolutions, 5x5 branches, biases, dropout 0.4. With biases and the
 * 1000-way classifier it has 6,998,552 parameters; the paper's table, rounded and without biases,
 * adds up to about 6.8 million.
 */
@Network(input = {3, 224, 224})
@Expect(params = 6_998_552, macs = 1_582_671_872L, output = 1000)
public interface GoogLeNetPaper {
    @Conv2d(filters = 64, kernel = 7, stride = 2, padding = 3) @ReLU Layer conv1();
    @MaxPool2d(kernel = 3, stride = 2, ceilMode = true) @LocalResponseNorm Layer pool1();
    @Conv2d(filters = 64, kernel = 1) @ReLU Layer conv2reduce();
    @Conv2d(filters = 192, kernel = 3, padding = 1) @ReLU @LocalResponseNorm Layer conv2();
    @MaxPool2d(kernel = 3, stride = 2, ceilMode = true) Layer pool2();
    @InceptionV1(c1 = 64, c3r = 96, c3 = 128, c5r = 16, c5 = 32, poolProj = 32) Layer inception3a();
    @InceptionV1(c1 = 128, c3r = 128, c3 = 192, c5r = 32, c5 = 96, poolProj = 64) Layer inception3b();
    @MaxPool2d(kernel = 3, stride = 2, ceilMode = true) Layer pool3();
    @InceptionV1(c1 = 192, c3r = 96, c3 = 208, c5r = 16, c5 = 48, poolProj = 64) Layer inception4a();
    @InceptionV1(c1 = 160, c3r = 112, c3 = 224, c5r = 24, c5 = 64, poolProj = 64) Layer inception4b();
    @InceptionV1(c1 = 128, c3r = 128, c3 = 256, c5r = 24, c5 = 64, poolProj = 64) Layer inception4c();
    @InceptionV1(c1 = 112, c3r = 144, c3 = 288, c5r = 32, c5 = 64, poolProj = 64) Layer inception4d();
    @InceptionV1(c1 = 256, c3r = 160, c3 = 320, c5r = 32, c5 = 128, poolProj = 128) Layer inception4e();
    @MaxPool2d(kernel = 3, stride = 2, ceilMode = true) Layer pool4();
    @InceptionV1(c1 = 256, c3r = 160, c3 = 320, c5r = 32, c5 = 128, poolProj = 128) Layer inception5a();
    @InceptionV1(c1 = 384, c3r = 192, c3 = 384, c5r = 48, c5 = 128, poolProj = 128) Layer inception5b();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dropout(rate = 0.4) @Dense(units = 1000) Layer classifier();
}
