package dev.fovea.processor.model;

/**
 * A block parameter: an element of the block's annotation type. {@code defaultValue} is null for a
 * required parameter; {@code firstOnly} marks {@code @FirstOnly}.
 */
public record ParamDecl(String name, ParamType type, Expr defaultValue, boolean firstOnly, SourceRef ref) {}
