package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.VectorActivations;
import dev.fovea.runtime.kernels.train.ElementwiseTrain;

/**
 * An element-wise activation; its backward reads its input and output, both kept. Fused into the node
 * before it ({@link FusedActivation}), it does nothing itself.
 */
final class ActivationNode extends Node {
    private static final int CHUNK = 1 << 14;
    private final Tensor in;
    private final Activation function;
    private final float slope;
    private final int tasks;
    private final boolean fused;
    private final java.util.function.IntConsumer forwardChunk;
    private java.util.function.Consumer<Workers> backwardPass;

    ActivationNode(String name, Tensor in, Tensor out, Activation function, double slope, boolean fused) {
        super(name, out);
        this.fused = fused;
        this.in = in;
        this.function = function;
        this.slope = (float) slope;
        int total = out.size();
        this.tasks = (total + CHUNK - 1) / CHUNK;
        this.forwardChunk = t -> {
            int from = t * CHUNK;
            int to = Math.min(total, from + CHUNK);
            System.arraycopy(in.value, from, out.value, from, to - from);
            VectorActivations.apply(out.value, from, to, function, this.slope);
        };
        this.backwardPass = ElementwiseTrain.activationBackward(function, this.slope, in.value, out.value, out.grad, in.grad, total);
    }

    @Override
    java.util.List<Tensor> storeFirstWrites(java.util.List<Tensor> firstWritten) {
        java.util.List<Tensor> stored = gradientOf(in, firstWritten);
        if (fused) {
            return stored; // its input's gradient is its output's array, which the node before reads
        }
        if (!stored.isEmpty()) {
            backwardPass = ElementwiseTrain.activationBackward(function, slope, in.value, out.value, out.grad, in.grad, out.size(), true);
        }
        return stored;
    }

    @Override
    void forward(Workers workers, boolean training) {
        if (!fused) {
            workers.parallelFor(tasks, forwardChunk);
        }
    }

    @Override
    void backward(Workers workers) {
        if (!fused) {
            backwardPass.accept(workers);
        }
    }

    @Override
    String kind() {
        return "Activation";
    }
}
