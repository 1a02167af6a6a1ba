package dev.fovea.runtime.train;

import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The gradient of the loss for every trainable tensor, under the tensor's own (PyTorch) name, in the
 * model's order. Frozen tensors, batch norm's running statistics and the tensors of layers the session
 * does not run (the part before a cut, when only the head trains on cached features) have none. The arrays are the
 * session's own: a data-parallel trainer averages them across workers in place before the optimiser
 * step.
 */
public final class Gradients {
    private final Map<String, float[]> values = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    /** The same arrays in the model's order, for the per-step loops: a map's iterator is an allocation the compiler may not remove. */
    private final float[][] ordered;

    Gradients(Parameters parameters, Set<String> used, Set<String> frozen) {
        for (TensorSpec s : parameters.specs()) {
            if (!s.buffer() && used.contains(s.name()) && !frozen.contains(s.name())) {
                values.put(s.name(), new float[s.elements()]);
                shapes.put(s.name(), s.shape());
            }
        }
        ordered = values.values().toArray(float[][]::new);
    }

    /** The names of the trainable tensors, in the model's order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /** The live gradient of {@code name}, or null when it is not trained. */
    public float[] get(String name) {
        return values.get(name);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The live arrays in the model's order. */
    float[][] arrays() {
        return ordered;
    }

    /** How many values all the gradients hold. */
    long floats() {
        long floats = 0;
        for (float[] g : ordered) {
            floats += g.length;
        }
        return floats;
    }

    public void zero() {
        for (float[] g : ordered) {
            java.util.Arrays.fill(g, 0);
        }
    }

    /** The L2 norm of all gradients together, summed in float64 in the model's order. */
    public double globalNorm() {
        double sum = 0;
        for (float[] g : ordered) {
            for (float v : g) {
                sum += (double) v * v;
            }
        }
        return Math.sqrt(sum);
    }

    /** Multiplies every gradient by {@code factor} (averaging across workers, clipping). */
    public void scale(float factor) {
        for (float[] g : ordered) {
            for (int i = 0; i < g.length; i++) {
                g[i] *= factor;
            }
        }
    }

    /** The gradients as named tensors, for writing (they share the live arrays). */
    public Map<String, LoadedTensor> asMap() {
        Map<String, LoadedTensor> out = new LinkedHashMap<>();
        values.forEach((name, g) -> out.put(name, new LoadedTensor(shapes.get(name), g)));
        return out;
    }
}
