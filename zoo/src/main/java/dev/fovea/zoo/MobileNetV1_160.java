package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 1.0 at 160x160: the paper's 290 million mult-adds. */
@Network(input = {3, 160, 160})
@Expect(params = 4_231_976, macs = 290_675_200L, output = 1000)
public interface MobileNetV1_160 {
    @MobileNetV1Body(alpha = 1.0) Layer body();
}
