package dev.fovea.zoo.cli;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.WeightsException;
import dev.fovea.zoo.Zoo;
import java.nio.file.Path;
import java.util.Arrays;

/** Batches read from tensor files: how many samples a tensor holds for a model. */
final class Samples {
    private Samples() {}

    /** N, for a tensor that must be N x the model's input shape. */
    static int count(Path file, String tensor, LoadedTensor x, String name, ModelInfo info) {
        int[] shape = x.shape();
        int[] sample = info.input().dims();
        if (shape.length != sample.length + 1 || shape[0] < 1 || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), sample)) {
            throw new WeightsException(file + ": tensor " + tensor + " is " + Arrays.toString(shape) + " but " + Zoo.simpleName(name)
                    + " takes N x " + info.input());
        }
        return shape[0];
    }
}
