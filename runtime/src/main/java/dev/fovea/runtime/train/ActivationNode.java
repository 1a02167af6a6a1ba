package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.VectorActivations;
import dev.fovea.runtime.kernels.train.ElementwiseTrain;

/** An element-wise activation; its backward reads its input and output, both kept. */
final class ActivationNode extends Node {
    private static final int CHUNK = 1 << 14;
    private final Tensor in;
    private final Activation function;
    private final float slope;

    ActivationNode(String name, Tensor in, Tensor out, Activation function, double slope) {
        super(name, out);
        this.in = in;
        this.function = function;
        this.slope = (float) slope;
    }

    @Override
    void forward(Workers workers, boolean training) {
        int total = out.size();
        workers.parallelFor((total + CHUNK - 1) / CHUNK, t -> {
            int from = t * CHUNK;
            int to = Math.min(total, from + CHUNK);
            System.arraycopy(in.value, from, out.value, from, to - from);
            VectorActivations.apply(out.value, from, to, function, slope);
        });
    }

    @Override
    void backward(Workers workers) {
        ElementwiseTrain.activationBackward(workers, function, slope, in.value, out.value, out.grad, in.grad, out.size());
    }

    @Override
    String kind() {
        return "Activation";
    }
}
