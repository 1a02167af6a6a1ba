package dev.fovea.processor.model;

import java.util.List;
import java.util.Optional;

/**
 * A network as declared: the class annotated {@code @Network}, its input shape, the figures it expects,
 * and its layer members in source order.
 */
public record NetworkDecl(
        String packageName,
        String qualifiedName,
        AnnotationUse network,
        Optional<AnnotationUse> expect,
        List<MemberDecl> members,
        SourceRef ref) {
    public NetworkDecl {
        members = List.copyOf(members);
    }

    public String simpleName() {
        return qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
    }
}
