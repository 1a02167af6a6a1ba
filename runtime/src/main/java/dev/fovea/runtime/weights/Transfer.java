package dev.fovea.runtime.weights;

import java.util.List;

/**
 * What loading a base network's weights into a derived one did: the inherited tensors it loaded by name,
 * the derived network's own tensors it left as initialised, and the file's tensors no inherited layer
 * has (the base's old head).
 */
public record Transfer(List<String> loaded, List<String> initialised, List<String> unused) {
    public Transfer {
        loaded = List.copyOf(loaded);
        initialised = List.copyOf(initialised);
        unused = List.copyOf(unused);
    }

    /** "loaded 62 tensors, initialised 2 (fc.weight, fc.bias), did not use 2 (fc.weight, fc.bias)". */
    public String summary() {
        return "loaded " + loaded.size() + " tensors, initialised " + initialised.size() + names(initialised) + ", did not use "
                + unused.size() + names(unused);
    }

    private static String names(List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        List<String> shown = names.subList(0, Math.min(4, names.size()));
        return " (" + String.join(", ", shown) + (names.size() > shown.size() ? ", ..." : "") + ")";
    }
}
