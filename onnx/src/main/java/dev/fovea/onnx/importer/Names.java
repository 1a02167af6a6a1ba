package dev.fovea.onnx.importer;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.lang.model.SourceVersion;

/** Java names for members, blocks and parameters, made from the file's node names and unique in their scope. */
final class Names {
    private final Set<String> used = new HashSet<>(Set.of("input")); // Layer.INPUT names the scope's input

    /** A fresh identifier made from {@code text}: other characters become underscores, a keyword or a leading digit gets a prefix. */
    String fresh(String text, String fallback) {
        String base = identifier(text);
        if (base.isEmpty()) {
            base = identifier(fallback);
        }
        String name = base;
        for (int i = 2; !used.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    static String identifier(String text) {
        String s = text.replaceAll("[^A-Za-z0-9_]+", "_").replaceAll("_+", "_").replaceAll("^_|_$", "");
        if (s.isEmpty()) {
            return s;
        }
        if (!Character.isJavaIdentifierStart(s.charAt(0)) || SourceVersion.isKeyword(s) || s.equals("_")) {
            s = "layer_" + s;
        }
        return s;
    }

    /** A member's name: its module path below {@code prefix} elements, with its operator when the path alone would repeat. */
    static String memberText(Member m, int prefix, boolean pathRepeats) {
        List<String> rel = m.scope().subList(Math.min(prefix, m.scope().size()), m.scope().size());
        if (rel.isEmpty()) {
            return m.leaf();
        }
        String path = String.join("_", rel);
        return pathRepeats ? path + "_" + m.leaf() : path;
    }

    static String capitalised(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }
}
