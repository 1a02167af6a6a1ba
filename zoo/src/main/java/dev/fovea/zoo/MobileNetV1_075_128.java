package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 0.75 at 128x128. */
@Network(input = {3, 128, 128})
@Expect(params = 2_585_560, macs = 106_770_432L, output = 1000)
public interface MobileNetV1_075_128 {
    @MobileNetV1Body(alpha = 0.75) Layer body();
}
