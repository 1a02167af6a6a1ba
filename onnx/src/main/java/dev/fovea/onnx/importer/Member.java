package dev.fovea.onnx.importer;

import java.util.List;

/**
 * One member of the written network or block: a chain of layers where each reads the one before
 * ({@code @Conv2d @BatchNorm @ReLU}).
 *
 * @param scope the module path of the operator that starts it, from the file's node names, in atoms ({@code layer1, 0, conv1})
 * @param leaf that operator's own name ({@code add}), for members whose module path says too little
 */
record Member(List<String> scope, String leaf, List<Step> steps) {

    String input() {
        return steps.getFirst().input();
    }

    String output() {
        return steps.getLast().output();
    }
}
