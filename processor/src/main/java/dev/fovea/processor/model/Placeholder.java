package dev.fovea.processor.model;

/** A constant in a block's {@code Layers} interface that stands for the parameter of the same name. */
public record Placeholder(String name, ParamType type, SourceRef ref) {}
