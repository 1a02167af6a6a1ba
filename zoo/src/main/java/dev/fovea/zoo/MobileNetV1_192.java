package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 1.0 at 192x192: the paper's 418 million mult-adds. */
@Network(input = {3, 192, 192})
@Expect(params = 4_231_976, macs = 418_121_728L, output = 1000)
public interface MobileNetV1_192 {
    @MobileNetV1Body(alpha = 1.0) Layer body();
}
