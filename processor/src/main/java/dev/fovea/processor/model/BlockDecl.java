package dev.fovea.processor.model;

import java.util.List;
import java.util.Optional;

/**
 * A block: an annotation type marked {@code @Block}, with its parameters, the placeholder constants of
 * its {@code Layers} interface, and the layer members there. {@code rebindable} is false for a block
 * read from a class file without its stored template, whose annotation values are folded constants
 * that cannot be rebound.
 */
public record BlockDecl(
        String qualifiedName,
        List<ParamDecl> params,
        List<Placeholder> placeholders,
        List<MemberDecl> members,
        boolean rebindable,
        SourceRef ref) {
    public BlockDecl {
        params = List.copyOf(params);
        placeholders = List.copyOf(placeholders);
        members = List.copyOf(members);
    }

    public String simpleName() {
        return qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
    }

    public Optional<ParamDecl> param(String name) {
        return params.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
