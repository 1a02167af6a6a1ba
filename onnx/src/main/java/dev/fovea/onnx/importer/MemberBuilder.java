package dev.fovea.onnx.importer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Orders the layers so that chains stay together (a layer right after the one it reads, when the graph
 * allows) and gathers them into members: an activation or constant factor joins the member of the layer
 * it reads when nothing else reads that layer, a normalisation only a convolution's or dense layer's
 * (a norm after a concatenation or addition opens the next member, as DenseNet's and ConvNeXt's modules do).
 */
final class MemberBuilder {
    private MemberBuilder() {}

    static List<Member> members(List<Step> steps, String networkOutput) {
        List<Step> ordered = addAfterItsInput(chainFirst(steps));
        Map<String, Integer> readers = new HashMap<>();
        ordered.forEach(s -> s.reads().forEach(t -> readers.merge(t, 1, Integer::sum)));
        readers.merge(networkOutput, 1, Integer::sum);
        List<Member> members = new ArrayList<>();
        List<Step> current = new ArrayList<>();
        for (Step step : ordered) {
            boolean joins = !current.isEmpty() && step.follows() && step.input().equals(current.getLast().output())
                    && readers.get(step.input()) == 1 && (!step.normalises() || current.getLast().isLinear());
            if (!joins && !current.isEmpty()) {
                members.add(member(current));
                current = new ArrayList<>();
            }
            current.add(step);
        }
        members.add(member(current));
        return members;
    }

    /**
     * An addition reads the layer above it rather than name it: x + y is y + x, exactly, in floating point,
     * so an addition whose second operand was computed just before takes that operand as its input.
     */
    private static List<Step> addAfterItsInput(List<Step> ordered) {
        List<Step> swapped = new ArrayList<>(ordered);
        for (int i = 1; i < swapped.size(); i++) {
            Step s = swapped.get(i);
            String above = swapped.get(i - 1).output();
            if (s.layer().annotation().equals("Add") && !s.input().equals(above) && s.reads().get(1).equals(above)) {
                ImportedLayer add = ImportedLayer.of("Add").attr("from", new Value.Ref(s.input())).build();
                swapped.set(i, new Step(s.nodeName(), s.opType(), add, above, s.output()));
            }
        }
        return swapped;
    }

    /**
     * A member, with the module path of its first layer as atoms: PyTorch's {@code /layer1/layer1.0/conv1/Conv}
     * and Fovea's own {@code layer1.0.conv1} are both {@code layer1, 0, conv1}.
     */
    private static Member member(List<Step> steps) {
        Step first = steps.getFirst();
        String node = first.nodeName();
        String path;
        String leaf;
        if (node.startsWith("/")) {
            String[] parts = node.substring(1).split("/");
            // PyTorch repeats the parent in a child's name: /layer1/layer1.0/conv1 is layer1.0.conv1
            StringBuilder joined = new StringBuilder();
            for (int i = 0; i < parts.length - 1; i++) {
                boolean child = i > 0 && parts[i].startsWith(parts[i - 1] + ".");
                joined.append(child ? parts[i].substring(parts[i - 1].length()) : (joined.isEmpty() ? "" : ".") + parts[i]);
            }
            path = joined.toString();
            leaf = parts[parts.length - 1];
        } else {
            path = node.contains("/") ? node.substring(0, node.indexOf('/')) : node;
            leaf = first.opType();
        }
        List<String> scope = java.util.Arrays.stream(path.split("\\.")).filter(a -> !a.isEmpty()).toList();
        return new Member(scope, leaf.toLowerCase(Locale.ROOT), List.copyOf(steps));
    }

    /** A topological order that puts a layer right after the one it reads when it can, and otherwise keeps the file's order. */
    private static List<Step> chainFirst(List<Step> steps) {
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            producer.put(steps.get(i).output(), i);
        }
        int[] waiting = new int[steps.size()];
        List<List<Integer>> dependents = new ArrayList<>();
        steps.forEach(s -> dependents.add(new ArrayList<>()));
        for (int i = 0; i < steps.size(); i++) {
            for (String t : steps.get(i).reads()) {
                Integer p = producer.get(t);
                if (p != null) {
                    waiting[i]++;
                    dependents.get(p).add(i);
                }
            }
        }
        TreeSet<Integer> ready = new TreeSet<>();
        for (int i = 0; i < steps.size(); i++) {
            if (waiting[i] == 0) {
                ready.add(i);
            }
        }
        List<Step> ordered = new ArrayList<>();
        String last = null;
        while (!ready.isEmpty()) {
            Integer next = null;
            for (int candidate : ready) {
                if (steps.get(candidate).input().equals(last)) {
                    next = candidate;
                    break;
                }
            }
            int chosen = next != null ? next : ready.first();
            ready.remove(chosen);
            ordered.add(steps.get(chosen));
            last = steps.get(chosen).output();
            for (int d : dependents.get(chosen)) {
                if (--waiting[d] == 0) {
                    ready.add(d);
                }
            }
        }
        return ordered;
    }
}
