package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.ChannelOps;
import dev.fovea.runtime.kernels.train.ElementwiseTrain;

/** A residual addition: the gradient goes to both inputs unchanged. */
final class AddNode extends Node {
    private final Tensor a;
    private final Tensor b;
    private final java.util.function.Consumer<Workers> add;
    /** The output's gradient added into each input's that has one: both in one pass when both have one. */
    private java.util.function.Consumer<Workers> toA;
    private java.util.function.Consumer<Workers> toB;
    private java.util.function.Consumer<Workers> toBoth;

    AddNode(String name, Tensor a, Tensor b, Tensor out) {
        super(name, out);
        this.a = a;
        this.b = b;
        this.add = ChannelOps.add(a.value, b.value, out.value, out.size());
        this.toA = a.hasGradient() ? ElementwiseTrain.addInto(out.grad, 0, a.grad, 0, out.size()) : null;
        this.toB = b.hasGradient() ? ElementwiseTrain.addInto(out.grad, 0, b.grad, 0, out.size()) : null;
        this.toBoth = toA != null && toB != null && a.grad != b.grad ? ElementwiseTrain.addIntoBoth(out.grad, a.grad, b.grad, out.size()) : null;
    }

    /** Stores into an input's gradient that it writes first, unless both inputs are one tensor. */
    @Override
    java.util.List<Tensor> storeFirstWrites(java.util.List<Tensor> firstWritten) {
        if (a.grad == b.grad) {
            return java.util.List.of();
        }
        java.util.List<Tensor> storedA = gradientOf(a, firstWritten);
        java.util.List<Tensor> storedB = gradientOf(b, firstWritten);
        int size = out.size();
        if (toBoth != null) {
            toBoth = ElementwiseTrain.intoBoth(out.grad, a.grad, !storedA.isEmpty(), b.grad, !storedB.isEmpty(), size);
        } else if (!storedA.isEmpty()) {
            toA = ElementwiseTrain.copyInto(out.grad, 0, a.grad, 0, size);
        } else if (!storedB.isEmpty()) {
            toB = ElementwiseTrain.copyInto(out.grad, 0, b.grad, 0, size);
        }
        return java.util.stream.Stream.concat(storedA.stream(), storedB.stream()).toList();
    }

    @Override
    void forward(Workers workers, boolean training) {
        add.accept(workers);
    }

    @Override
    void backward(Workers workers) {
        if (toBoth != null) {
            toBoth.accept(workers);
            return;
        }
        if (toA != null) {
            toA.accept(workers);
        }
        if (toB != null) {
            toB.accept(workers);
        }
    }

    @Override
    String kind() {
        return "Add";
    }
}
