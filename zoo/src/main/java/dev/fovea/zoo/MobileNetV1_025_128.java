package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 0.25 at 128x128. */
@Network(input = {3, 128, 128})
@Expect(params = 470_072, macs = 13_570_048L, output = 1000)
public interface MobileNetV1_025_128 {
    @MobileNetV1Body(alpha = 0.25) Layer body();
}
