package dev.fovea.zoo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.Concat;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.From;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.Repeat;

/**
 * Inception-ResNet-v2 (Szegedy et al., "Inception-v4, Inception-ResNet and the Impact of Residual
 * Connections on Learning", 2016), as Keras applications builds it for 299x299 images: the stem, ten
 * block35 (scaled by 0.17), Reduction-A, twenty block17 (0.1), Reduction-B, ten block8 (0.2; the last
 * unscaled and without ReLU), a 1x1 convolution to 1536 channels, global average pooling and a 1000-way
 * classifier (logits; Keras ends in a softmax).
 *
 * <p>Figures: Keras applications' {@code InceptionResNetV2().count_params()} is 55,873,736, of which
 * 60,544 are batch norm's moving means and variances (Fovea's buffers) and 55,813,192 are trained, which
 * {@code @Expect} holds. Keras' batch norms learn no scale ({@code scale=False}), hence {@link KerasConvBn}.
 * The paper's Inception-ResNet-v2 differs in details Keras does not follow (its stem is Inception-v4's);
 * the paper gives no exact parameter count.
 */
@Network(input = {3, 299, 299})
@Expect(params = 55_813_192, output = 1000)
public interface InceptionResNetV2 {
    @KerasConvBn(filters = 32, kernel = 3, stride = 2, valid = true) Layer conv1a();
    @KerasConvBn(filters = 32, kernel = 3, valid = true) Layer conv2a();
    @KerasConvBn(filters = 64, kernel = 3) Layer conv2b();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool3a();
    @KerasConvBn(filters = 80, valid = true) Layer conv3b();
    @KerasConvBn(filters = 192, kernel = 3, valid = true) Layer conv4a();
    @MaxPool2d(kernel = 3, stride = 2) Layer pool5a();
    @InceptionResNetStem Layer mixed5b();
    @InceptionResNetA @Repeat(value = 10, label = "block35_%d", firstIndex = 1) Layer block35();
    @ReductionA Layer mixed6a();
    @InceptionResNetB @Repeat(value = 20, label = "block17_%d", firstIndex = 1) Layer block17();
    @ReductionB Layer mixed7a();
    @InceptionResNetC @Repeat(value = 9, label = "block8_%d", firstIndex = 1) Layer block8();

    // block8_10: as InceptionResNetC, without the scale and the ReLU
    @KerasConvBn(filters = 192) Layer block8_10Branch0();
    @From("block8") @KerasConvBn(filters = 192) Layer block8_10Branch1a();
    @KerasConvBn(filters = 224, kernel = 1, kernelW = 3) Layer block8_10Branch1b();
    @KerasConvBn(filters = 256, kernel = 3, kernelW = 1) Layer block8_10Branch1c();
    @Concat({"block8_10Branch0", "block8_10Branch1c"}) Layer block8_10Mixed();
    @Conv2d(filters = 2080, kernel = 1) Layer block8_10Up();
    @Add(from = "block8") Layer block8_10();

    @KerasConvBn(filters = 1536) Layer conv7b();
    @GlobalAvgPool Layer avgPool();
    @Flatten Layer flatten();
    @Dense(units = 1000) Layer predictions();
}
