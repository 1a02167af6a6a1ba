package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import java.util.function.Consumer;

/** A layer that only moves values (a channel split or shuffle): the same in training and eval mode; its gradient moves back. */
final class MoveNode extends Node {
    private final Tensor in;
    private final String kind;
    private final Consumer<Workers> forwardPass;
    private final Consumer<Workers> backwardPass;

    MoveNode(String name, String kind, Tensor in, Tensor out, Consumer<Workers> forwardPass, Consumer<Workers> backwardPass) {
        super(name, out);
        this.in = in;
        this.kind = kind;
        this.forwardPass = forwardPass;
        this.backwardPass = backwardPass;
    }

    @Override
    void forward(Workers workers, boolean training) {
        forwardPass.accept(workers);
    }

    @Override
    void backward(Workers workers) {
        if (in.hasGradient()) {
            backwardPass.accept(workers);
        }
    }

    @Override
    String kind() {
        return kind;
    }
}
