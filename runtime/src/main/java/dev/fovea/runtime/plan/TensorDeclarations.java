package dev.fovea.runtime.plan;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.NetworkGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training session's tensors before their arrays exist: each tensor's shape and whether it has a
 * gradient, the names that alias another tensor, and for every step (node, in forward order) the
 * tensor it writes and those it reads. From these come the activations that run in place, the gradient
 * buffers' live ranges, and for each step the gradients its backward pass writes first, which must be
 * zeroed just before it; and the ReLUs that run inside the batch norm or addition before them. The
 * runtime's training planner declares a session's tensors here, and the
 * compiler declares the same ones for its training-memory report, so both follow one set of rules.
 */
public final class TensorDeclarations {
    /**
     * @param planned the index of its gradient in the plan's values, or -1 (no gradient, or the input's, which has its own array)
     */
    public record Declared(String name, Shape shape, boolean gradient, int planned) {}

    private final Map<String, Declared> tensors = new LinkedHashMap<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();
    private final List<String> writes = new ArrayList<>();
    private final List<List<String>> reads = new ArrayList<>();
    /** Per step, whether its backward pass reads its own output (an activation's, a softmax's). */
    private final List<Boolean> readsOwnOutput = new ArrayList<>();
    /** Activations that may write their output over their input's values, if nothing else reads those. */
    private final List<String> inPlaceCandidates = new ArrayList<>();
    /** Of those, the ones that may run inside the step before them (ReLU, ReLU6). */
    private final java.util.Set<String> fusable = new java.util.HashSet<>();
    /** Steps (by their output) that may run the activation after them: a learning batch norm, an addition. */
    private final java.util.Set<String> runsActivations = new java.util.HashSet<>();
    /** Activations that run inside the step that writes their input, by their name: that step's output. */
    private final Map<String, String> fusedInto = new LinkedHashMap<>();
    /** Tensors whose values are another's array: activations run in place. */
    private final Map<String, String> valuesOf = new LinkedHashMap<>();
    private List<List<String>> firstWrittenAt;

    public void tensor(String name, Shape shape, boolean gradient) {
        tensors.put(name, new Declared(name, shape, gradient, -1));
    }

    /** {@code name} is {@code input}'s arrays under another shape. */
    public void alias(String name, String input) {
        aliases.put(name, root(input));
    }

    /** The next step writes {@code output} and reads {@code inputs}; its backward pass may read its own output. */
    public void step(String output, List<String> inputs, boolean readsOutput) {
        writes.add(output);
        reads.add(inputs.stream().map(this::root).toList());
        readsOwnOutput.add(readsOutput);
    }

    /** The last step is an activation whose gradient follows from its output. */
    public void inPlaceCandidate() {
        inPlaceCandidates.add(writes.getLast());
    }

    /** The last step is an activation whose gradient follows from its output and that may run inside the step before it (ReLU, ReLU6). */
    public void fusableCandidate() {
        inPlaceCandidate();
        fusable.add(writes.getLast());
    }

    /** The last step may run an activation after it in place on its output (a batch norm that learns, an addition). */
    public void runsActivation() {
        runsActivations.add(writes.getLast());
    }

    /**
     * After the last step: each candidate activation writes over its input's values when it is their only
     * reader, they are not the network's input, and their producer's backward pass does not read them.
     */
    public void placeActivations() {
        Map<String, Integer> readers = new HashMap<>();
        Map<String, Integer> producer = new HashMap<>();
        for (int s = 0; s < writes.size(); s++) {
            producer.put(writes.get(s), s);
            for (String in : reads.get(s)) {
                readers.merge(in, 1, Integer::sum);
            }
        }
        for (String activation : inPlaceCandidates) {
            String in = reads.get(producer.get(activation)).getFirst();
            if (!in.equals(NetworkGraph.INPUT) && readers.get(in) == 1 && !readsOwnOutput.get(producer.get(in))) {
                valuesOf.put(activation, in);
                if (fusable.contains(activation) && runsActivations.contains(in)) {
                    fusedInto.put(activation, in);
                }
            }
        }
    }

    /**
     * The output of the step that runs activation {@code name} itself (after {@link #placeActivations}), or
     * null: a fusable activation in place on the output of a step that runs activations. That step's
     * backward pass reads the activation's gradient, which therefore lives from that step on.
     */
    public String fusedInto(String name) {
        return fusedInto.get(name);
    }

    /** The tensor whose value array {@code name} uses: its own, or its input's for an activation in place. */
    public String valuesOf(String name) {
        return valuesOf.getOrDefault(name, name);
    }

    public String root(String name) {
        return aliases.getOrDefault(name, name);
    }

    public boolean hasGradient(String name) {
        return tensors.get(root(name)).gradient();
    }

    public List<Declared> tensors() {
        return List.copyOf(tensors.values());
    }

    public Map<String, String> aliases() {
        return aliases;
    }

    /** Plans the gradients of every tensor but the input's; {@code logits} is written before the backward pass starts. */
    public GradientBufferPlan gradientPlan(String logits) {
        Map<String, Integer> producer = new HashMap<>();
        Map<String, Integer> lastReader = new HashMap<>();
        for (int s = 0; s < writes.size(); s++) {
            producer.put(writes.get(s), s);
            for (String in : reads.get(s)) {
                lastReader.put(in, s);
            }
        }
        java.util.Set<String> fusedInputs = new java.util.HashSet<>(fusedInto.values());
        List<GradientBufferPlan.Value> values = new ArrayList<>();
        firstWrittenAt = new ArrayList<>();
        writes.forEach(w -> firstWrittenAt.add(new ArrayList<>()));
        for (Declared d : List.copyOf(tensors.values())) {
            if (!d.gradient()) {
                continue;
            }
            if (d.name().equals(NetworkGraph.INPUT)) {
                if (lastReader.containsKey(d.name())) {
                    firstWrittenAt.get(lastReader.get(d.name())).add(d.name());
                }
                continue;
            }
            if (fusedInputs.contains(d.name())) {
                continue; // a fused activation's input: its gradient is the activation's, below
            }
            // a fused activation's gradient is read by the step that runs it
            int from = producer.get(fusedInto.getOrDefault(d.name(), d.name()));
            int to = d.name().equals(logits) ? GradientBufferPlan.END : lastReader.getOrDefault(d.name(), from);
            if (to != GradientBufferPlan.END && to != from) {
                firstWrittenAt.get(to).add(d.name());
            }
            tensors.put(d.name(), new Declared(d.name(), d.shape(), true, values.size()));
            values.add(new GradientBufferPlan.Value(d.shape().elements(), from, to));
        }
        // Nothing writes a fused activation's input gradient apart from the activation's: the step that runs
        // the activation reads the activation's output gradient. The two share one array, never zeroed
        // between them.
        fusedInto.forEach((activation, input) -> {
            Declared in = tensors.get(input);
            tensors.put(input, new Declared(input, in.shape(), in.gradient(), tensors.get(activation).planned()));
        });
        return GradientBufferPlan.of(values);
    }

    /** For each step, the gradients its backward pass adds to first (after {@link #gradientPlan}). */
    public List<List<String>> firstWrittenAt() {
        return firstWrittenAt;
    }
}
