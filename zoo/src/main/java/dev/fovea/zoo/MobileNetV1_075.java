package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 0.75: the paper's 2.6 million parameters and 325 million mult-adds. */
@Network(input = {3, 224, 224})
@Expect(params = 2_585_560, macs = 325_400_448L, output = 1000)
public interface MobileNetV1_075 {
    @MobileNetV1Body(alpha = 0.75) Layer body();
}
