package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 0.75 at 192x192. */
@Network(input = {3, 192, 192})
@Expect(params = 2_585_560, macs = 239_273_472L, output = 1000)
public interface MobileNetV1_075_192 {
    @MobileNetV1Body(alpha = 0.75) Layer body();
}
