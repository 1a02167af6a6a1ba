package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 1.0 at 224x224: the paper's 4.2 million parameters and 569 million mult-adds. */
@Network(input = {3, 224, 224})
@Expect(params = 4_231_976, macs = 568_740_352L, output = 1000)
public interface MobileNetV1 {
    @MobileNetV1Body(alpha = 1.0) Layer body();
}
