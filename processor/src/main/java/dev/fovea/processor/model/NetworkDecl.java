package dev.fovea.processor.model;

import java.util.List;
import java.util.Optional;

/**
 * A network as declared: the class annotated {@code @Network}, its input shape, the figures it expects,
 * and its layer members in source order. A derived network's declaration, once its derivation is applied,
 * also says where each member came from ({@code lineage}).
 */
public record NetworkDecl(
        String packageName,
        String qualifiedName,
        AnnotationUse network,
        Optional<AnnotationUse> expect,
        List<MemberDecl> members,
        SourceRef ref,
        Optional<Lineage> lineage) implements NetworkSource {
    public NetworkDecl {
        members = List.copyOf(members);
    }

    public NetworkDecl(String packageName, String qualifiedName, AnnotationUse network, Optional<AnnotationUse> expect,
            List<MemberDecl> members, SourceRef ref) {
        this(packageName, qualifiedName, network, expect, members, ref, Optional.empty());
    }

    public String simpleName() {
        return qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
    }
}
