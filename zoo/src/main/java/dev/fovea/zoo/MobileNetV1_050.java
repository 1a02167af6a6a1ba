package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 0.5: the paper's 1.3 million parameters and 149 million mult-adds. */
@Network(input = {3, 224, 224})
@Expect(params = 1_331_592, macs = 149_497_088L, output = 1000)
public interface MobileNetV1_050 {
    @MobileNetV1Body(alpha = 0.5) Layer body();
}
