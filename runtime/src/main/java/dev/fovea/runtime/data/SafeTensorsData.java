package dev.fovea.runtime.data;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.SafeTensors;
import dev.fovea.runtime.weights.WeightsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Samples in a safetensors file: {@code input}, N x C x H x W (or N x features), used as they are, and
 * {@code labels}, N integers (int64, int32 or whole floats).
 */
public final class SafeTensorsData {
    private SafeTensorsData() {}

    public static Dataset read(Path file) {
        Map<String, LoadedTensor> tensors;
        try {
            tensors = SafeTensors.read(file);
        } catch (WeightsException e) {
            throw new DataException(e.getMessage());
        }
        LoadedTensor input = tensors.get("input");
        LoadedTensor labels = tensors.get("labels");
        if (input == null || labels == null) {
            throw new DataException(file + ": a data file holds tensors 'input' and 'labels'; this one has " + tensors.keySet());
        }
        int[] in = input.shape();
        if (in.length < 2 || in.length > 4 || in.length == 3) {
            throw new DataException(file + ": 'input' is " + Arrays.toString(in) + "; expected N x C x H x W or N x features");
        }
        if (labels.shape().length != 1 || labels.shape()[0] != in[0]) {
            throw new DataException(file + ": 'labels' is " + Arrays.toString(labels.shape()) + "; expected [" + in[0] + "], one per sample");
        }
        int[] values = new int[in[0]];
        int max = -1;
        for (int i = 0; i < values.length; i++) {
            float v = labels.data()[i];
            if (v < 0 || v != Math.rint(v)) {
                throw new DataException(file + ": label " + i + " is " + v + "; labels are class numbers from 0");
            }
            values[i] = (int) v;
            max = Math.max(max, values[i]);
        }
        List<String> classes = new ArrayList<>();
        for (int c = 0; c <= max; c++) {
            classes.add(Integer.toString(c));
        }
        Shape shape = new Shape(Arrays.copyOfRange(in, 1, in.length));
        return new FloatSamples(file.toString(), input.data(), values, shape, classes);
    }
}
