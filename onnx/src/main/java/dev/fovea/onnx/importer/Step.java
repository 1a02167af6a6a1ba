package dev.fovea.onnx.importer;

import java.util.ArrayList;
import java.util.List;

/**
 * One layer of the imported network: the operator it came from, what it computes, the tensor it reads
 * (the flowing one; a binary layer names its other input in an element) and the tensor it writes.
 */
record Step(String nodeName, String opType, ImportedLayer layer, String input, String output) {

    /** Every tensor the step reads: the flowing one and those its elements name. */
    List<String> reads() {
        List<String> reads = new ArrayList<>();
        reads.add(input);
        for (ImportedLayer.Attr a : layer.attrs()) {
            switch (a.value()) {
                case Value.Ref r -> reads.add(r.tensor());
                case Value.Refs r -> reads.addAll(r.tensors());
                default -> { }
            }
        }
        return reads;
    }

    /** Layers that follow the one before them on the same member (@Conv2d @BatchNorm @ReLU) rather than start one. */
    boolean follows() {
        return switch (layer.annotation()) {
            case "BatchNorm", "ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "SiLU", "GELU", "HardSwish", "HardSigmoid", "Softmax",
                 "Multiply", "LayerNorm", "LayerScale" -> true;
            default -> false;
        };
    }

    boolean normalises() {
        return layer.annotation().equals("BatchNorm") || layer.annotation().equals("LayerNorm");
    }

    /** Convolutions and dense layers: a normalisation after one belongs to it. */
    boolean isLinear() {
        return switch (layer.annotation()) {
            case "Conv2d", "DepthwiseConv2d", "ConvTranspose2d", "Dense" -> true;
            default -> false;
        };
    }
}
