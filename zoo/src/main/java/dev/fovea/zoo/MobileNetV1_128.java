package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 1.0 at 128x128: the paper's 186 million mult-adds. */
@Network(input = {3, 128, 128})
@Expect(params = 4_231_976, macs = 186_400_768L, output = 1000)
public interface MobileNetV1_128 {
    @MobileNetV1Body(alpha = 1.0) Layer body();
}
