package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 0.5 at 128x128. */
@Network(input = {3, 128, 128})
@Expect(params = 1_331_592, macs = 49_160_192L, output = 1000)
public interface MobileNetV1_050_128 {
    @MobileNetV1Body(alpha = 0.5) Layer body();
}
