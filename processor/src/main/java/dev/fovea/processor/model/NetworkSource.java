package dev.fovea.processor.model;

/** A network as declared: directly ({@code @Network}) or as a derivation of another ({@code @Derive}). */
public sealed interface NetworkSource permits NetworkDecl, DerivedDecl {
    String qualifiedName();
}
