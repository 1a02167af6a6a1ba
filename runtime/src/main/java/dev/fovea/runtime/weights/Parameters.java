package dev.fovea.runtime.weights;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The values of a model's tensors, one float array per name, in the order the model lists them. The
 * arrays are the model's own: inference reads them, training will update them in place.
 */
public final class Parameters {
    private final Map<String, TensorSpec> specs = new LinkedHashMap<>();
    private final Map<String, float[]> values = new LinkedHashMap<>();
    /** Tensors made or read when first asked for ({@link #initializedWhenRead}, {@link #readWhenAsked}); null in {@link #values} until then. */
    private final Map<String, java.util.function.Supplier<float[]>> pending = new java.util.HashMap<>();
    /** Set by {@link #forOneSession}: planning takes the arrays out, so they live only as long as the plan needs them. */
    private boolean handedOver;
    /**
     * Arrays a session has packed and let go of ({@link #giveBack}), by length: the next tensor of that
     * length is made or read into one of them, so the layers of a stage, which share a shape, leave one
     * unpacked array behind instead of one each.
     */
    private final Map<Integer, float[]> spares = new java.util.HashMap<>();
    /** How many tensors of each length are still to be made or read ({@link #pending}). */
    private final Map<Integer, Integer> pendingLengths = new java.util.HashMap<>();

    /** Zero-filled tensors for every spec. */
    public Parameters(List<TensorSpec> specs) {
        for (TensorSpec s : specs) {
            if (this.specs.put(s.name(), s) != null) {
                throw new IllegalArgumentException("two tensors are named " + s.name());
            }
            values.put(s.name(), new float[s.elements()]);
        }
    }

    /**
     * Parameters initialised as PyTorch would, from {@code seed}: each tensor from its own stream (the
     * seed and the tensor's name), so a tensor's values do not depend on the others.
     */
    public static Parameters initialized(List<TensorSpec> specs, long seed) {
        Parameters p = new Parameters(specs);
        for (TensorSpec s : specs) {
            fill(s, seed, p.values.get(s.name()));
        }
        return p;
    }

    /**
     * The same values as {@link #initialized}, each tensor made only when first asked for: given to one
     * session ({@link #forOneSession}), no more than a layer's weights exist unpacked at a time.
     */
    public static Parameters initializedWhenRead(List<TensorSpec> specs, long seed) {
        Parameters p = new Parameters();
        for (TensorSpec s : specs) {
            p.declare(s);
            p.pendingLengths.merge(s.elements(), 1, Integer::sum);
            p.pending.put(s.name(), () -> {
                float[] v = p.spareOr(s.elements());
                fill(s, seed, v);
                return v;
            });
        }
        return p;
    }

    /**
     * The tensors of a safetensors file, read when first asked for, after checking that the file holds
     * exactly this model's tensors with their shapes (the same checks as {@link #load}).
     */
    public static Parameters readWhenAsked(List<TensorSpec> specs, SafeTensors.Deferred file) {
        Parameters p = new Parameters();
        specs.forEach(p::declare);
        p.checkFits(file.shapes(), file.source());
        for (TensorSpec s : specs) {
            p.pendingLengths.merge(s.elements(), 1, Integer::sum);
            p.pending.put(s.name(), () -> file.read(s.name(), p::spareOr));
        }
        return p;
    }

    private void declare(TensorSpec s) {
        if (specs.put(s.name(), s) != null) {
            throw new IllegalArgumentException("two tensors are named " + s.name());
        }
        values.put(s.name(), null);
    }

    /** Tensor {@code s}'s initial values, from its own stream of {@code seed}. */
    private static void fill(TensorSpec s, long seed, float[] values) {
        switch (s.init().kind()) {
            case ZEROS -> java.util.Arrays.fill(values, 0f); // a spare array holds another tensor's values
            case CONSTANT -> java.util.Arrays.fill(values, (float) s.init().value());
            case UNIFORM_FAN_IN -> {
                java.util.SplittableRandom r = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + s.name().hashCode());
                double bound = 1.0 / Math.sqrt(s.init().value());
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) r.nextDouble(-bound, bound);
                }
            }
        }
    }

    /**
     * Gives these parameters to the one inference session that will be planned from them: the planner
     * takes each array out as it reads it, and lets go of it once the kernel has packed its own copy, so
     * a session's weights are held once while it is built, not twice. Afterwards the parameters hold
     * nothing; use them for nothing else. Returns this.
     */
    public Parameters forOneSession() {
        handedOver = true;
        return this;
    }

    /**
     * Takes back an array a planner took ({@link #take}) once its kernel has packed a copy and keeps no
     * reference to it, for the next tensor of its length to be made or read into. Only for parameters
     * given {@link #forOneSession}, and only while a tensor of that length is still to be made or read;
     * otherwise the array is simply dropped.
     */
    public void giveBack(float[] array) {
        // kept only for a tensor still to come: a spare held for nothing would outlive its layer
        if (handedOver && array != null && pendingLengths.getOrDefault(array.length, 0) > 0) {
            spares.putIfAbsent(array.length, array);
        }
    }

    /** Lets go of the arrays given back: the session is built. */
    public void dropSpares() {
        spares.clear();
    }

    /** A spare array of {@code length} floats, or a new one; a spare still holds its former values. */
    private float[] spareOr(int length) {
        float[] spare = spares.remove(length);
        return spare != null ? spare : new float[length];
    }

    /** Whether these parameters were given to one session ({@link #forOneSession}): its planner may change the arrays it takes. */
    public boolean handedOver() {
        return handedOver;
    }

    /**
     * The array of {@code name} for a planner: {@link #get} for parameters that stay in use, and for
     * parameters given {@link #forOneSession}, the array taken out of them (a second take is an error).
     */
    public float[] take(String name) {
        float[] v = get(name);
        if (handedOver) {
            values.put(name, null);
        }
        return v;
    }

    public List<TensorSpec> specs() {
        return List.copyOf(specs.values());
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(specs.keySet());
    }

    public TensorSpec spec(String name) {
        TensorSpec s = specs.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no tensor named " + name);
        }
        return s;
    }

    /** The live array of {@code name}: writes to it change the model. */
    public float[] get(String name) {
        spec(name);
        float[] v = values.get(name);
        if (v == null && pending.containsKey(name)) {
            pendingLengths.merge(specs.get(name).elements(), -1, Integer::sum);
            v = pending.remove(name).get();
            values.put(name, v);
        }
        if (v == null) {
            throw new IllegalStateException("tensor " + name + " was handed to an inference session; these parameters hold it no more");
        }
        return v;
    }

    public boolean has(String name) {
        return specs.containsKey(name);
    }

    /** Copies {@code data} into tensor {@code name}, which must have exactly {@code shape}. */
    public void set(String name, int[] shape, float[] data) {
        TensorSpec s = spec(name);
        if (!s.hasShape(shape)) {
            throw new WeightsException("tensor " + name + " has shape " + java.util.Arrays.toString(shape) + " but the model needs "
                    + java.util.Arrays.toString(s.shape()));
        }
        System.arraycopy(data, 0, get(name), 0, data.length);
    }

    /** Learned parameters only, not buffers: what PyTorch counts. */
    public long parameterCount() {
        return specs.values().stream().filter(s -> !s.buffer()).mapToLong(TensorSpec::elements).sum();
    }

    private Parameters() {}

    private static Map<String, int[]> shapes(Map<String, LoadedTensor> loaded) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        loaded.forEach((name, t) -> shapes.put(name, t.shape()));
        return shapes;
    }

    /** Throws unless {@code loaded} names exactly this model's tensors with their shapes (ignoring num_batches_tracked). */
    private void checkFits(Map<String, int[]> loaded, String source) {
        Set<String> missing = new TreeSet<>(specs.keySet());
        List<String> unexpected = new ArrayList<>();
        for (Map.Entry<String, int[]> e : loaded.entrySet()) {
            String name = e.getKey();
            if (name.endsWith("num_batches_tracked")) {
                continue;
            }
            TensorSpec s = specs.get(name);
            if (s == null) {
                unexpected.add(name);
                continue;
            }
            missing.remove(name);
            if (!s.hasShape(e.getValue())) {
                throw new WeightsException(source + ": tensor " + name + " has shape " + java.util.Arrays.toString(e.getValue())
                        + " but the model needs " + java.util.Arrays.toString(s.shape()));
            }
        }
        if (!missing.isEmpty()) {
            throw new WeightsException(source + ": " + missing.size() + " of the model's tensors are missing, first "
                    + missing.iterator().next() + (unexpected.isEmpty() ? "" : "; it has " + unexpected.size()
                    + " tensors the model does not, first " + unexpected.getFirst() + ": are these weights for another model?"));
        }
        if (!unexpected.isEmpty()) {
            throw new WeightsException(source + ": " + unexpected.size() + " tensors are not the model's, first "
                    + unexpected.getFirst() + ": are these weights for another model?");
        }
    }

    /**
     * Takes every tensor of {@code loaded}, which must name exactly this model's tensors with the same
     * shapes (PyTorch's {@code num_batches_tracked} counters are ignored). Nothing is changed unless all fit.
     */
    public void load(Map<String, LoadedTensor> loaded, String source) {
        checkFits(shapes(loaded), source);
        for (Map.Entry<String, LoadedTensor> e : loaded.entrySet()) {
            if (specs.containsKey(e.getKey())) {
                float[] target = get(e.getKey());
                System.arraycopy(e.getValue().data(), 0, target, 0, target.length);
            }
        }
    }

    /**
     * Fine-tuning's load: the base network's weights into a network derived from it, whose own layers'
     * tensors are {@code newTensors} (a derived model's {@code NEW_TENSORS}). Every other tensor is inherited
     * and must be in {@code loaded} with this model's shape (all that are missing or differ are named in one
     * error, and nothing changes); the new ones keep their values (as initialised); tensors of {@code loaded}
     * that no inherited layer has (the base's old head) are left out and reported.
     */
    public Transfer loadBase(Map<String, LoadedTensor> loaded, Collection<String> newTensors, String source) {
        List<String> inherited = specs.keySet().stream().filter(n -> !newTensors.contains(n)).toList();
        List<String> problems = new ArrayList<>();
        for (String name : inherited) {
            TensorSpec s = specs.get(name);
            LoadedTensor t = loaded.get(name);
            if (t == null) {
                problems.add(name + " is missing");
            } else if (!s.hasShape(t.shape())) {
                problems.add(name + " has shape " + java.util.Arrays.toString(t.shape()) + " but the model needs "
                        + java.util.Arrays.toString(s.shape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightsException(source + ": " + problems.size() + " of the " + inherited.size() + " inherited tensors do not fit: "
                    + String.join("; ", problems) + ": are these the base network's weights?");
        }
        for (String name : inherited) {
            float[] target = get(name);
            System.arraycopy(loaded.get(name).data(), 0, target, 0, target.length);
        }
        List<String> initialised = specs.keySet().stream().filter(newTensors::contains).toList();
        List<String> unused = loaded.keySet().stream().filter(n -> !inherited.contains(n) && !n.endsWith("num_batches_tracked")).toList();
        return new Transfer(inherited, initialised, unused);
    }

    /** The tensors as a map for writing. */
    public Map<String, LoadedTensor> asMap() {
        Map<String, LoadedTensor> out = new LinkedHashMap<>();
        specs.values().forEach(s -> out.put(s.name(), new LoadedTensor(s.shape(), get(s.name()))));
        return out;
    }
}
