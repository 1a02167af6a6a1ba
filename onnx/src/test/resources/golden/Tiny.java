package demo;

import dev.fovea.annotations.BatchNorm;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Dense;
import dev.fovea.annotations.Expect;
import dev.fovea.annotations.Flatten;
import dev.fovea.annotations.GlobalAvgPool;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.MaxPool2d;
import dev.fovea.annotations.Multiply;
import dev.fovea.annotations.Network;
import dev.fovea.annotations.ReLU;
import dev.fovea.annotations.ReLU6;
import dev.fovea.annotations.Repeat;
import dev.fovea.annotations.Scale;
import dev.fovea.annotations.SiLU;
import dev.fovea.annotations.Sigmoid;

/**
 * Imported from tiny.onnx (pytorch 1.13.0, opset 13) by fovea import: 25 operators as 9 members, 1 block.
 * Its weights, written with it, carry the names this source gives them.
 */
@Network(input = {3, 8, 8})
@Expect(params = 2_652, output = 4)
public interface Tiny {
    @Conv2d(filters = 8, kernel = 3, padding = 1) @BatchNorm(eps = 0.001, momentum = 0.01) @ReLU Layer conv1();
    @TinyBlock1 @Repeat(2) Layer stage();
    @MaxPool2d(kernel = 2) Layer pool();
    @GlobalAvgPool Layer se_globalaveragepool();
    @Conv2d(filters = 8, kernel = 1) @Sigmoid Layer se_fc();
    @Scale(from = "pool") @ReLU6 @SiLU @Multiply(0.5) Layer se_mul();
    @GlobalAvgPool Layer avgpool();
    @Flatten Layer flatten();
    @Dense(units = 4) Layer fc();
}
