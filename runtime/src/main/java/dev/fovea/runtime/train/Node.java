package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import java.util.List;

/**
 * One layer of a training session: its forward pass in training or eval mode, and its backward pass,
 * which adds the gradients of its inputs (those that have one) and of its trainable tensors. Gradients
 * are zeroed before each backward pass, so every node accumulates, except into the input gradients a
 * node writes first and whole, which it may store instead ({@link #storeFirstWrites}).
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

    /**
     * Called once, after planning, with the input gradients this node's backward pass writes first (no
     * other node has added to them yet in the pass). Returns those of them it will store whole, with the
     * values adding into zeros would give: they need no zeroing. By default, none.
     */
    List<Tensor> storeFirstWrites(List<Tensor> firstWritten) {
        return List.of();
    }

    /** The tensors of {@code firstWritten} whose gradient is {@code input}'s (an alias shares it), if {@code input} has one. */
    static List<Tensor> gradientOf(Tensor input, List<Tensor> firstWritten) {
        return !input.hasGradient() ? List.of() : firstWritten.stream().filter(t -> t.grad == input.grad).toList();
    }

    /** A short name of what it computes, for profiles. */
    abstract String kind();

    /** Whether the backward pass has anything to do: its output has a gradient. */
    boolean needsBackward() {
        return out.hasGradient();
    }
}
