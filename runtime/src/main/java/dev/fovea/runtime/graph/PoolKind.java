package dev.fovea.runtime.graph;

/** What a pooling window computes. */
public enum PoolKind { MAX, AVG }
