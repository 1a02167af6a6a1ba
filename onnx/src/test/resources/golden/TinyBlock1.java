package demo;

import dev.fovea.annotations.Add;
import dev.fovea.annotations.Block;
import dev.fovea.annotations.Conv2d;
import dev.fovea.annotations.Layer;
import dev.fovea.annotations.ReLU;

/**
 * Imported from tiny.onnx (pytorch 1.13.0, opset 13) by fovea import: a structure the graph repeats,
 * used by stage.
 */
@Block
public @interface TinyBlock1 {
    interface Layers {
        @Conv2d(filters = 8, kernel = 3, padding = 1, bias = false) @ReLU Layer conv1();
        @Conv2d(filters = 8, kernel = 3, padding = 1, bias = false) Layer conv2();
        @Add @ReLU Layer add();
    }
}
