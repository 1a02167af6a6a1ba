package dev.fovea.zoo;

import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dropout;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Name;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;

/** SqueezeNet 1.0 (Iandola et al. 2016): AlexNet's accuracy with 50x fewer parameters, from fire modules. */
@Network(input = {3, 224, 224})
@Expect(params = 1_248_424, macs = 818_924_576L, output = 1000)
@SuppressWarnings("Fovea/DropsBorder") // the unpadded stride-2 first convolution skips the last row and column, as torchvision's does
public interface SqueezeNet1_0 {
    @Conv2d(filters = 96, kernel = 7, stride = 2, name = "features.0") @ReLU Layer conv1();
    @MaxPool2d(kernel = 3, stride = 2, ceilMode = true) Layer pool1();
    @Fire(squeeze = 16, expand1x1 = 64, expand3x3 = 64) @Name("features.3") Layer fire2();
    @Fire(squeeze = 16, expand1x1 = 64, expand3x3 = 64) @Name("features.4") Layer fire3();
    @Fire(squeeze = 32, expand1x1 = 128, expand3x3 = 128) @Name("features.5") Layer fire4();
    @MaxPool2d(kernel = 3, stride = 2, ceilMode = true) Layer pool4();
    @Fire(squeeze = 32, expand1x1 = 128, expand3x3 = 128) @Name("features.7") Layer fire5();
    @Fire(squeeze = 48, expand1x1 = 192, expand3x3 = 192) @Name("features.8") Layer fire6();
    @Fire(squeeze = 48, expand1x1 = 192, expand3x3 = 192) @Name("features.9") Layer fire7();
    @Fire(squeeze = 64, expand1x1 = 256, expand3x3 = 256) @Name("features.10") Layer fire8();
    @MaxPool2d(kernel = 3, stride = 2, ceilMode = true) Layer pool8();
    @Fire(squeeze = 64, expand1x1 = 256, expand3x3 = 256) @Name("features.12") Layer fire9();
    @Dropout @Conv2d(filters = 1000, kernel = 1, name = "classifier.1") @ReLU Layer conv10();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
}
