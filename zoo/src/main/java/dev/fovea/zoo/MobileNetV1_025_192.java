package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 0.25 at 192x192. */
@Network(input = {3, 192, 192})
@Expect(params = 470_072, macs = 30_212_608L, output = 1000)
public interface MobileNetV1_025_192 {
    @MobileNetV1Body(alpha = 0.25) Layer body();
}
