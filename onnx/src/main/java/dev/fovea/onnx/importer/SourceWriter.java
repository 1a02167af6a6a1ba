package dev.fovea.onnx.importer;

import dev.fovea.onnx.importer.Layout.BlockType;
import dev.fovea.onnx.importer.Layout.Instance;
import dev.fovea.onnx.importer.Layout.Param;
import dev.fovea.onnx.importer.Layout.Part;
import dev.fovea.onnx.importer.Layout.Single;
import dev.fovea.onnx.importer.Layout.Slot;
import dev.fovea.onnx.importer.Layout.Use;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Writes the layout as Java in the zoo's style: one line per member, the layers of a chain on it in
 * order, references by member name, elements only where they differ from the DSL's defaults.
 */
final class SourceWriter {
    private static final String ANNOTATIONS = "dev.fovea.annotations.";

    private final String pkg;
    private final String header;

    /** @param header the provenance line of every file's comment ("Imported from resnet18.onnx (pytorch 1.13, opset 13)") */
    SourceWriter(String pkg, String header) {
        this.pkg = pkg;
        this.header = header;
    }

    /** The network's source. */
    String network(String name, Layout layout, String input, int[] sample, long params, int[] output, int operators) {
        TreeSet<String> imports = new TreeSet<>(List.of("Expect", "Layer", "Network"));
        List<String> lines = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        names.put(input, null);
        String previous = input;
        for (Part part : layout.parts()) {
            switch (part) {
                case Single s -> {
                    lines.add(member(s.member().member(), s.member().name(), previous, names, imports, (slot, attr) -> literal(attr)));
                    previous = s.member().member().output();
                    names.put(previous, s.member().name());
                }
                case Use u -> {
                    lines.add(use(u, imports));
                    previous = u.instances().getLast().members().getLast().output();
                    names.put(previous, u.name());
                }
            }
        }
        StringBuilder s = packageLine();
        imports.forEach(i -> s.append("import ").append(ANNOTATIONS).append(i).append(";\n"));
        s.append("\n/**\n * ").append(header).append(": ").append(operators).append(" operators as ")
                .append(layout.parts().size()).append(" members");
        if (!layout.blocks().isEmpty()) {
            s.append(", ").append(layout.blocks().size()).append(layout.blocks().size() == 1 ? " block" : " blocks");
        }
        s.append(".\n * Its weights, written with it, carry the names this source gives them.\n */\n");
        s.append("@Network(input = ").append(dims(sample)).append(")\n");
        s.append("@Expect(params = ").append(grouped(params)).append(", output = ").append(dims(output)).append(")\n");
        s.append("public interface ").append(name).append(" {\n");
        lines.forEach(l -> s.append("    ").append(l).append('\n'));
        return s.append("}\n").toString();
    }

    /** A block's source. */
    String block(BlockType type, String usedBy) {
        TreeSet<String> imports = new TreeSet<>(List.of("Block", "Layer"));
        Instance template = type.template();
        Map<String, String> names = new HashMap<>();
        names.put(template.input(), null);
        List<String> lines = new ArrayList<>();
        String previous = template.input();
        for (int j = 0; j < template.members().size(); j++) {
            Member m = template.members().get(j);
            int member = j;
            lines.add(member(m, type.memberNames().get(j), previous, names, imports, (slot, attr) -> {
                Slot at = new Slot(member, slot[0], slot[1]);
                String param = type.paramOf().get(at);
                if (param != null) {
                    return param;
                }
                // numbers the instances share are written where one differs from the default; other values are the same in all
                boolean number = attr.value() instanceof Value.Int || attr.value() instanceof Value.Real;
                return number ? (type.written().contains(at) ? attr.value().source() : null) : literal(attr);
            }));
            previous = m.output();
            names.put(previous, type.memberNames().get(j));
        }
        StringBuilder s = packageLine();
        imports.forEach(i -> s.append("import ").append(ANNOTATIONS).append(i).append(";\n"));
        s.append("\n/**\n * ").append(header).append(": a structure the graph repeats,\n * used by ").append(usedBy).append(".\n */\n");
        s.append("@Block\npublic @interface ").append(type.name()).append(" {\n");
        for (Param p : type.params()) {
            s.append("    ").append(p.real() ? "double " : "int ").append(p.name()).append("();\n");
        }
        if (!type.params().isEmpty()) {
            s.append('\n');
        }
        s.append("    interface Layers {\n");
        for (boolean real : new boolean[] {false, true}) {
            List<Param> ofType = type.params().stream().filter(p -> p.real() == real).toList();
            if (!ofType.isEmpty()) {
                s.append("        ").append(real ? "double " : "int ")
                        .append(ofType.stream().map(p -> p.name() + " = " + p.placeholder().source()).collect(Collectors.joining(", ")))
                        .append(";\n");
            }
        }
        lines.forEach(l -> s.append("        ").append(l).append('\n'));
        return s.append("    }\n}\n").toString();
    }

    private StringBuilder packageLine() {
        return new StringBuilder(pkg.isEmpty() ? "" : "package " + pkg + ";\n\n");
    }

    /** How an element is written: its source, or null to leave it out. Gets the step and element index. */
    private interface ElementSource {
        String of(int[] stepAndAttr, ImportedLayer.Attr attr);
    }

    private static String literal(ImportedLayer.Attr attr) {
        return attr.isDefault() ? null : attr.value().source();
    }

    private static String member(Member m, String name, String previous, Map<String, String> names, TreeSet<String> imports,
            ElementSource source) {
        StringBuilder line = new StringBuilder();
        // a concatenation reads the layers it names, not the one above
        if (!m.input().equals(previous) && !m.steps().getFirst().layer().annotation().equals("Concat")) {
            imports.add("From");
            line.append("@From(").append(ref(m.input(), names)).append(") ");
        }
        for (int s = 0; s < m.steps().size(); s++) {
            ImportedLayer layer = m.steps().get(s).layer();
            imports.add(layer.annotation());
            List<String> elements = new ArrayList<>();
            for (int a = 0; a < layer.attrs().size(); a++) {
                ImportedLayer.Attr attr = layer.attrs().get(a);
                String value = switch (attr.value()) {
                    // an addition reads the scope's input unless told otherwise
                    case Value.Ref r when layer.annotation().equals("Add") && names.get(r.tensor()) == null && names.containsKey(r.tensor()) -> null;
                    case Value.Ref r -> ref(r.tensor(), names);
                    case Value.Refs r -> r.tensors().stream().map(t -> ref(t, names)).collect(Collectors.joining(", ", "{", "}"));
                    default -> source.of(new int[] {s, a}, attr);
                };
                if (value != null) {
                    elements.add(attr.name() + " = " + value);
                }
            }
            line.append('@').append(layer.annotation());
            if (elements.size() == 1 && elements.getFirst().startsWith("value = ")) {
                line.append('(').append(elements.getFirst().substring("value = ".length())).append(')');
            } else if (!elements.isEmpty()) {
                line.append('(').append(String.join(", ", elements)).append(')');
            }
            line.append(' ');
        }
        return line.append("Layer ").append(name).append("();").toString();
    }

    private static String ref(String tensor, Map<String, String> names) {
        if (!names.containsKey(tensor)) {
            throw new IllegalStateException("no member computes " + tensor);
        }
        String name = names.get(tensor);
        return name == null ? "Layer.INPUT" : '"' + name + '"';
    }

    private static String use(Use u, TreeSet<String> imports) {
        StringBuilder line = new StringBuilder("@").append(u.type().name());
        if (!u.args().isEmpty()) {
            line.append('(').append(u.args().entrySet().stream().map(e -> e.getKey() + " = " + e.getValue().source())
                    .collect(Collectors.joining(", "))).append(')');
        }
        if (u.repeat()) {
            imports.add("Repeat");
            int n = u.instances().size();
            List<String> elements = new ArrayList<>();
            if (!u.label().equals("%d")) {
                elements.add("label = \"" + u.label() + "\"");
            }
            if (u.firstIndex() != 0) {
                elements.add("firstIndex = " + u.firstIndex());
            }
            line.append(elements.isEmpty() ? " @Repeat(" + n + ")" : " @Repeat(value = " + n + ", " + String.join(", ", elements) + ")");
        }
        return line.append(" Layer ").append(u.name()).append("();").toString();
    }

    private static String dims(int[] dims) {
        return dims.length == 1 ? Integer.toString(dims[0])
                : java.util.Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", ", "{", "}"));
    }

    /** 11689512 as 11_689_512, as the zoo writes its figures. */
    private static String grouped(long n) {
        String digits = Long.toString(n);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && (digits.length() - i) % 3 == 0) {
                s.append('_');
            }
            s.append(digits.charAt(i));
        }
        return s.append(n > Integer.MAX_VALUE ? "L" : "").toString();
    }
}
