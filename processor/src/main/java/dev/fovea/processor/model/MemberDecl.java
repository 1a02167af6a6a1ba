package dev.fovea.processor.model;

import java.util.List;

/** A layer member of a network or block: its Java name and its annotations in source order. */
public record MemberDecl(String name, SourceRef ref, List<AnnotationUse> annotations) {
    public MemberDecl {
        annotations = List.copyOf(annotations);
    }
}
