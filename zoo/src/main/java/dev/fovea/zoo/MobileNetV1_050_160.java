package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 0.5 at 160x160. */
@Network(input = {3, 160, 160})
@Expect(params = 1_331_592, macs = 76_524_800L, output = 1000)
public interface MobileNetV1_050_160 {
    @MobileNetV1Body(alpha = 0.5) Layer body();
}
