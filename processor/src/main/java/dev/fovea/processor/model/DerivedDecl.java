package dev.fovea.processor.model;

import java.util.List;
import java.util.Optional;

/**
 * A network declared with {@code @Derive}, before the derivation is applied: its base (a network, or
 * another derivation), the {@code @Derive} annotation with its choices, and its own members.
 */
public record DerivedDecl(
        String packageName,
        String qualifiedName,
        AnnotationUse derive,
        NetworkSource base,
        Optional<AnnotationUse> expect,
        List<MemberDecl> members,
        SourceRef ref) implements NetworkSource {
    public DerivedDecl {
        members = List.copyOf(members);
    }

    public String simpleName() {
        return qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
    }
}
