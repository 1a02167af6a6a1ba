package dev.fovea.processor.model;

import java.util.Map;

/**
 * One annotation on a member: its type's qualified name, every element's value (defaults included),
 * and where the annotation and each value it states explicitly stand in the source.
 */
public record AnnotationUse(String type, Map<String, Expr> args, SourceRef ref, Map<String, SourceRef> argRefs) {
    public AnnotationUse {
        args = Map.copyOf(args);
        argRefs = Map.copyOf(argRefs);
    }

    public String simpleName() {
        return type.substring(type.lastIndexOf('.') + 1);
    }

    /** Where the value of {@code element} stands, or the annotation itself when it was left to its default. */
    public SourceRef refOf(String element) {
        return argRefs.getOrDefault(element, ref);
    }

    public boolean isExplicit(String element) {
        return argRefs.containsKey(element);
    }
}
