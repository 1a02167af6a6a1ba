package dev.fovea.processor.graph;

import dev.fovea.processor.model.SourceRef;

/** One block instance a node was expanded in: how to name it in messages, and its use site. */
public record Frame(String label, SourceRef useSite) {}
