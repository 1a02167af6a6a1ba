package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 0.25 at 160x160. */
@Network(input = {3, 160, 160})
@Expect(params = 470_072, macs = 21_059_200L, output = 1000)
public interface MobileNetV1_025_160 {
    @MobileNetV1Body(alpha = 0.25) Layer body();
}
