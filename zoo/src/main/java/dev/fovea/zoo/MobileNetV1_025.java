package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 0.25: the paper's 0.5 million parameters and 41 million mult-adds. */
@Network(input = {3, 224, 224})
@Expect(params = 470_072, macs = 41_030_272L, output = 1000)
public interface MobileNetV1_025 {
    @MobileNetV1Body(alpha = 0.25) Layer body();
}
