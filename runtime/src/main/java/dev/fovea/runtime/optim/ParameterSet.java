package dev.fovea.runtime.optim;

import dev.fovea.runtime.train.Gradients;
import dev.fovea.runtime.weights.LoadedTensor;
import dev.fovea.runtime.weights.Parameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The trainable tensors an optimiser updates, each with its gradient and whether weight decay applies to
 * it, and the optimiser's per-tensor state buffers.
 */
final class ParameterSet {
    record Entry(String name, float[] value, float[] grad, boolean decay) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final float[] rateScales;

    /** {@code decayBiasesAndNorms} false leaves the one-dimensional tensors (biases, norms' weights) undecayed. */
    ParameterSet(Parameters parameters, Gradients gradients, boolean decayBiasesAndNorms) {
        for (String name : gradients.names()) {
            boolean decay = decayBiasesAndNorms || parameters.spec(name).rank() > 1;
            entries.add(new Entry(name, parameters.get(name), gradients.get(name), decay));
        }
        rateScales = new float[entries.size()];
        Arrays.fill(rateScales, 1);
    }

    List<Entry> entries() {
        return entries;
    }

    /** What the learning rate is multiplied by for entry {@code t}: 1 unless {@link #scaleRate} said otherwise. */
    float rateScale(int t) {
        return rateScales[t];
    }

    void scaleRate(Collection<String> names, double factor) {
        if (!(factor >= 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("a learning rate factor must be 0 or more, not " + factor);
        }
        Set<String> unknown = new TreeSet<>(names);
        for (int t = 0; t < entries.size(); t++) {
            if (unknown.remove(entries.get(t).name())) {
                rateScales[t] = (float) factor;
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(unknown.size() + " tensors are not trained (frozen, buffers or not the model's), first "
                    + unknown.iterator().next());
        }
    }

    /** One zeroed buffer per tensor, named {@code kind.<tensor>} in {@code state}. */
    float[][] buffers(String kind, Map<String, LoadedTensor> state, Parameters parameters) {
        float[][] buffers = new float[entries.size()][];
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            buffers[i] = new float[e.value().length];
            state.put(kind + "." + e.name(), new LoadedTensor(parameters.spec(e.name()).shape(), buffers[i]));
        }
        return buffers;
    }

    static void load(Map<String, LoadedTensor> into, Map<String, LoadedTensor> from) {
        for (String name : into.keySet()) {
            LoadedTensor source = from.get(name);
            if (source == null) {
                throw new IllegalArgumentException("the optimiser state lacks " + name);
            }
            float[] target = into.get(name).data();
            if (source.data().length != target.length) {
                throw new IllegalArgumentException("the optimiser state's " + name + " has " + source.data().length + " values, not "
                        + target.length);
            }
            System.arraycopy(source.data(), 0, target, 0, target.length);
        }
    }

    static Map<String, LoadedTensor> newState() {
        return new LinkedHashMap<>();
    }
}
