package dev.fovea.onnx.importer;

import dev.fovea.onnx.importer.Layout.BlockType;
import dev.fovea.onnx.importer.Layout.Instance;
import dev.fovea.onnx.importer.Layout.Named;
import dev.fovea.onnx.importer.Layout.Param;
import dev.fovea.onnx.importer.Layout.Part;
import dev.fovea.onnx.importer.Layout.Single;
import dev.fovea.onnx.importer.Layout.Slot;
import dev.fovea.onnx.importer.Layout.Use;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds where the graph repeats itself. The network is cut wherever a single tensor is all that later
 * layers read (after each ResNet block, each Inception module); the members between two cuts form a
 * region. Regions with branches that have the same structure (same layers, same wiring, the same
 * elements that are not numbers) become uses of one block; the numbers that differ between them
 * become the block's parameters, one per distinct pattern of values. Regions in a row with the same
 * arguments, named {@code layer1.0}, {@code layer1.1} in the file (and by nothing else), become one member with {@code @Repeat}.
 */
final class BlockFinder {
    /** The last atom of a repeated block's path: {@code 3}, {@code denselayer3} or {@code block35_3} (a label and an index). */
    private static final Pattern NUMBERED = Pattern.compile("([A-Za-z0-9_]*?)(\\d{1,9})");
    private final String networkName;
    private final Names networkNames = new Names();

    private BlockFinder(String networkName) {
        this.networkName = networkName;
    }

    static Layout layout(List<Member> members, String input, String output, String networkName) {
        return new BlockFinder(networkName).find(members, input, output);
    }

    private Layout find(List<Member> members, String input, String output) {
        List<Instance> regions = regions(members, input, output);
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int r = 0; r < regions.size(); r++) {
            if (regions.get(r).members().size() > 1) {
                groups.computeIfAbsent(structure(regions.get(r)), k -> new ArrayList<>()).add(r);
            }
        }
        Map<Integer, BlockType> typeOf = new HashMap<>();
        List<BlockType> blocks = new ArrayList<>();
        for (List<Integer> group : groups.values()) {
            if (group.size() > 1) {
                BlockType type = blockType(networkName + "Block" + (blocks.size() + 1), group.stream().map(regions::get).toList());
                blocks.add(type);
                group.forEach(r -> typeOf.put(r, type));
            }
        }
        Set<String> repeatedPaths = repeatedPaths(members);
        List<Part> parts = new ArrayList<>();
        for (int r = 0; r < regions.size(); r++) {
            BlockType type = typeOf.get(r);
            if (type == null) {
                for (Member m : regions.get(r).members()) {
                    parts.add(new Single(new Named(networkNames.fresh(Names.memberText(m, 0, repeatedPaths.contains(String.join(".",
                            m.scope()))), m.leaf()), m)));
                }
                continue;
            }
            int end = r + 1;
            Map<String, Value> args = args(type, regions.get(r));
            while (end < regions.size() && typeOf.get(end) == type && args(type, regions.get(end)).equals(args)
                    && consecutive(regions.subList(r, end + 1))) {
                end++;
            }
            if (end > r + 1 && stemElsewhere(regions, typeOf, r, end)) {
                end = r + 1; // features.5 and features.6 among other features.i: each keeps its own name
            }
            List<Instance> instances = regions.subList(r, end);
            boolean repeat = instances.size() > 1;
            List<String> prefix = prefix(instances.getFirst());
            Matcher numbered = NUMBERED.matcher(prefix.isEmpty() ? "" : prefix.getLast());
            int firstIndex = repeat && numbered.matches() ? Integer.parseInt(numbered.group(2)) : 0;
            String label = repeat ? numbered.group(1) + "%d" : "%d";
            String text = String.join("_", repeat ? prefix.subList(0, prefix.size() - 1) : prefix);
            parts.add(new Use(networkNames.fresh(text, "block"), type, List.copyOf(instances), args, repeat, label, firstIndex));
            r = end - 1;
        }
        return new Layout(List.copyOf(parts), List.copyOf(blocks));
    }

    /**
     * Whether the instances are named P.i, P.i+1, ... (or P.layer1, P.layer2, ...) in the file, so that
     * @Repeat's numbering (and label) gives them their names back.
     */
    private static boolean consecutive(List<Instance> instances) {
        List<String> stem = null;
        String label = null;
        int expected = -1;
        for (Instance instance : instances) {
            List<String> prefix = prefix(instance);
            Matcher numbered = NUMBERED.matcher(prefix.isEmpty() ? "" : prefix.getLast());
            if (prefix.size() < 2 || !numbered.matches()) {
                return false;
            }
            int index = Integer.parseInt(numbered.group(2));
            List<String> thisStem = prefix.subList(0, prefix.size() - 1);
            if (stem != null && (!stem.equals(thisStem) || !label.equals(numbered.group(1)) || index != expected)) {
                return false;
            }
            stem = thisStem;
            label = numbered.group(1);
            expected = index + 1;
        }
        return true;
    }

    /**
     * Whether members outside regions [from, to) and outside other block uses share the stem (P of P.i) that
     * @Repeat would name the run after: ResNet's layer1.1 and layer1.2 repeat as layer1 beside the block use
     * layer1_0, but MobileNet's features.5 and features.6 stay apart from the plain members features_7_*.
     */
    private static boolean stemElsewhere(List<Instance> regions, Map<Integer, BlockType> typeOf, int from, int to) {
        List<String> prefix = prefix(regions.get(from));
        List<String> stem = prefix.subList(0, prefix.size() - 1);
        for (int r = 0; r < regions.size(); r++) {
            if ((r < from || r >= to) && !typeOf.containsKey(r)) {
                for (Member m : regions.get(r).members()) {
                    if (m.scope().size() >= stem.size() && m.scope().subList(0, stem.size()).equals(stem)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The members between cuts: after member i, the only tensor later members (or the output) read is member i's. */
    private static List<Instance> regions(List<Member> members, String input, String output) {
        Map<String, Integer> lastReader = new HashMap<>();
        for (int i = 0; i < members.size(); i++) {
            for (Step s : members.get(i).steps()) {
                for (String t : s.reads()) {
                    lastReader.put(t, i);
                }
            }
        }
        lastReader.put(output, members.size());
        List<Instance> regions = new ArrayList<>();
        Set<String> live = new HashSet<>(Set.of(input));
        String regionInput = input;
        List<Member> current = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            current.add(m);
            live.add(m.output());
            int index = i;
            live.removeIf(t -> lastReader.getOrDefault(t, -1) <= index);
            if (live.equals(Set.of(m.output()))) {
                regions.add(new Instance(regionInput, List.copyOf(current)));
                current = new ArrayList<>();
                regionInput = m.output();
            }
        }
        if (!current.isEmpty()) {
            regions.add(new Instance(regionInput, List.copyOf(current)));
        }
        return regions;
    }

    /** A tensor as the region sees it: its input, or the output of its k-th member. */
    private static String relative(Instance region, String tensor) {
        if (tensor.equals(region.input())) {
            return "in";
        }
        for (int k = 0; k < region.members().size(); k++) {
            if (region.members().get(k).output().equals(tensor)) {
                return "m" + k;
            }
        }
        return "?" + tensor;
    }

    private static boolean isSlot(Value v) {
        return v instanceof Value.Int || v instanceof Value.Real;
    }

    /** The region's structure: its layers, wiring and non-number elements; numbers only by kind. */
    private static String structure(Instance region) {
        StringBuilder key = new StringBuilder();
        for (Member m : region.members()) {
            key.append('|').append(relative(region, m.input()));
            for (Step s : m.steps()) {
                key.append(' ').append(s.layer().annotation()).append('(');
                for (ImportedLayer.Attr a : s.layer().attrs()) {
                    key.append(a.name()).append('=').append(switch (a.value()) {
                        case Value.Int i -> "#int";
                        case Value.Real r -> "#real";
                        case Value.Ref ref -> relative(region, ref.tensor());
                        case Value.Refs refs -> refs.tensors().stream().map(t -> relative(region, t)).toList().toString();
                        default -> a.value().source();
                    }).append(',');
                }
                key.append(')');
                s.layer().weights().forEach(w -> key.append(w.suffix()).append(';'));
            }
        }
        return key.toString();
    }

    private static List<Slot> slots(Instance template) {
        List<Slot> slots = new ArrayList<>();
        for (int j = 0; j < template.members().size(); j++) {
            List<Step> steps = template.members().get(j).steps();
            for (int s = 0; s < steps.size(); s++) {
                List<ImportedLayer.Attr> attrs = steps.get(s).layer().attrs();
                for (int a = 0; a < attrs.size(); a++) {
                    if (isSlot(attrs.get(a).value())) {
                        slots.add(new Slot(j, s, a));
                    }
                }
            }
        }
        return slots;
    }

    private static ImportedLayer.Attr attr(Instance instance, Slot slot) {
        return instance.members().get(slot.member()).steps().get(slot.step()).layer().attrs().get(slot.attr());
    }

    private static BlockType blockType(String name, List<Instance> instances) {
        Instance template = instances.getFirst();
        List<String> prefix = prefix(template);
        Set<String> repeatedPaths = repeatedPaths(template.members());
        Names memberNames = new Names();
        List<String> names = template.members().stream().map(m -> memberNames.fresh(Names.memberText(m, prefix.size(),
                repeatedPaths.contains(String.join(".", m.scope()))), m.leaf())).toList();
        // one parameter per distinct pattern of values; a number that never changes stays a literal
        Map<List<Value>, String> paramOfValues = new LinkedHashMap<>();
        Map<List<Value>, Slot> firstSlot = new LinkedHashMap<>();
        Map<String, Integer> attrUses = new HashMap<>();
        Map<Slot, List<Value>> valuesOf = new LinkedHashMap<>();
        Set<Slot> written = new HashSet<>();
        for (Slot slot : slots(template)) {
            List<Value> values = instances.stream().map(i -> attr(i, slot).value()).toList();
            if (instances.stream().anyMatch(i -> !attr(i, slot).isDefault())) {
                written.add(slot);
            }
            if (values.stream().distinct().count() > 1) {
                valuesOf.put(slot, values);
                if (firstSlot.putIfAbsent(values, slot) == null) {
                    attrUses.merge(attr(template, slot).name(), 1, Integer::sum);
                }
            }
        }
        Names paramNames = new Names();
        List<Param> params = new ArrayList<>();
        for (Map.Entry<List<Value>, Slot> e : firstSlot.entrySet()) {
            Slot slot = e.getValue();
            String attrName = attr(template, slot).name();
            String text = attrUses.get(attrName) == 1 ? attrName : names.get(slot.member()) + "_" + attrName;
            String param = paramNames.fresh(text, attrName);
            paramOfValues.put(e.getKey(), param);
            params.add(new Param(param, e.getKey().getFirst() instanceof Value.Real, e.getKey().getFirst()));
        }
        Map<Slot, String> paramOf = new LinkedHashMap<>();
        valuesOf.forEach((slot, values) -> paramOf.put(slot, paramOfValues.get(values)));
        return new BlockType(name, List.copyOf(params), template, names, paramOf, written);
    }

    /** The arguments of one use: each parameter's value in this instance. */
    private static Map<String, Value> args(BlockType type, Instance instance) {
        Map<String, Value> args = new LinkedHashMap<>();
        type.paramOf().forEach((slot, param) -> args.putIfAbsent(param, attr(instance, slot).value()));
        return args;
    }

    /** The module path all members of an instance share ({@code layer1.0}). */
    static List<String> prefix(Instance instance) {
        List<String> prefix = instance.members().getFirst().scope();
        for (Member m : instance.members()) {
            int n = 0;
            while (n < prefix.size() && n < m.scope().size() && prefix.get(n).equals(m.scope().get(n))) {
                n++;
            }
            prefix = prefix.subList(0, n);
        }
        return prefix;
    }

    /** Module paths that more than one member starts from: those members add their operator to their name. */
    private static Set<String> repeatedPaths(List<Member> members) {
        Map<String, Integer> counts = new HashMap<>();
        members.forEach(m -> counts.merge(String.join(".", m.scope()), 1, Integer::sum));
        Set<String> repeated = new HashSet<>();
        counts.forEach((path, count) -> {
            if (count > 1) {
                repeated.add(path);
            }
        });
        return repeated;
    }
}
