package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 0.75 at 160x160. */
@Network(input = {3, 160, 160})
@Expect(params = 2_585_560, macs = 166_396_800L, output = 1000)
public interface MobileNetV1_075_160 {
    @MobileNetV1Body(alpha = 0.75) Layer body();
}
