package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.ChannelOps;
import dev.fovea.runtime.kernels.train.ElementwiseTrain;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A residual addition: the gradient goes to both inputs unchanged. A ReLU or ReLU6 after it may run inside
 * it ({@link FusedActivation}): forward on each chunk of the sum, backward on each chunk of its output
 * gradient before that goes to the inputs.
 */
final class AddNode extends Node {
    private final Tensor a;
    private final Tensor b;
    private final FusedActivation fused;
    private final Consumer<Workers> add;
    /** Whether the backward pass stores into a's and b's gradients (it writes them first) instead of adding. */
    private boolean storeA;
    private boolean storeB;
    private Consumer<Workers> backwardPass;

    AddNode(String name, Tensor a, Tensor b, Tensor out, FusedActivation fused) {
        super(name, out);
        if (fused != null && fused.out().value != out.value) {
            throw new IllegalArgumentException(name + ": a fused activation runs in place on the sum");
        }
        this.a = a;
        this.b = b;
        this.fused = fused;
        this.add = ChannelOps.add(a.value, b.value, out.value, out.size(), fused == null ? Activation.NONE : fused.function());
        this.backwardPass = backwardPass();
    }

    /** Stores into an input's gradient that it writes first, unless both inputs are one tensor. */
    @Override
    List<Tensor> storeFirstWrites(List<Tensor> firstWritten) {
        if (a.grad == b.grad) {
            return List.of();
        }
        List<Tensor> storedA = gradientOf(a, firstWritten);
        List<Tensor> storedB = gradientOf(b, firstWritten);
        storeA = !storedA.isEmpty();
        storeB = !storedB.isEmpty();
        backwardPass = backwardPass();
        return Stream.concat(storedA.stream(), storedB.stream()).toList();
    }

    /**
     * The output's gradient into each input's that has one, both in one pass. An addition of a tensor to
     * itself adds it into its one array twice, a vector at a time (it never stores).
     */
    private Consumer<Workers> backwardPass() {
        int size = out.size();
        float[] da = a.hasGradient() ? a.grad : null;
        float[] db = b.hasGradient() ? b.grad : null;
        if (fused != null) {
            return ElementwiseTrain.activationIntoBoth(fused.function(), fused.out().value, fused.out().grad, da, storeA, db, storeB, size);
        }
        if (da != null && db != null) {
            return ElementwiseTrain.intoBoth(out.grad, da, storeA, db, storeB, size);
        }
        if (da == null && db == null) {
            return workers -> {};
        }
        float[] into = da != null ? da : db;
        return (da != null ? storeA : storeB) ? ElementwiseTrain.copyInto(out.grad, 0, into, 0, size)
                : ElementwiseTrain.addInto(out.grad, 0, into, 0, size);
    }

    @Override
    void forward(Workers workers, boolean training) {
        add.accept(workers);
    }

    @Override
    void backward(Workers workers) {
        backwardPass.accept(workers);
    }

    @Override
    String kind() {
        return "Add";
    }
}
