package dev.fovea.zoo;

import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.Network;

/** MobileNet v1, width 0.5 at 192x192. */
@Network(input = {3, 192, 192})
@Expect(params = 1_331_592, macs = 109_970_432L, output = 1000)
public interface MobileNetV1_050_192 {
    @MobileNetV1Body(alpha = 0.5) Layer body();
}
