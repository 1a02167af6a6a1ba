package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.ChannelOps;
import dev.fovea.runtime.kernels.train.ElementwiseTrain;

/** A residual addition: the gradient goes to both inputs unchanged. */
final class AddNode extends Node {
    private final Tensor a;
    private final Tensor b;
    private final java.util.function.Consumer<Workers> add;

    AddNode(String name, Tensor a, Tensor b, Tensor out) {
        super(name, out);
        this.a = a;
        this.b = b;
        this.add = ChannelOps.add(a.value, b.value, out.value, out.size());
    }

    @Override
    void forward(Workers workers, boolean training) {
        add.accept(workers);
    }

    @Override
    void backward(Workers workers) {
        if (a.hasGradient()) {
            ElementwiseTrain.addInto(workers, out.grad, 0, a.grad, 0, out.size());
        }
        if (b.hasGradient()) {
            ElementwiseTrain.addInto(workers, out.grad, 0, b.grad, 0, out.size());
        }
    }

    @Override
    String kind() {
        return "Add";
    }
}
