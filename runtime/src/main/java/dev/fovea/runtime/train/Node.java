package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;

/**
 * One layer of a training session: its forward pass in training or eval mode, and its backward pass,
 * which adds the gradients of its inputs (those that have one) and of its trainable tensors. Gradients
 * are zeroed before each backward pass, so every node accumulates.
 */
abstract class Node {
    final String name;
    final Tensor out;

    Node(String name, Tensor out) {
        this.name = name;
        this.out = out;
    }

    abstract void forward(Workers workers, boolean training);

    abstract void backward(Workers workers);

    /** A short name of what it computes, for profiles. */
    abstract String kind();

    /** Whether the backward pass has anything to do: its output has a gradient. */
    boolean needsBackward() {
        return out.hasGradient();
    }
}
