package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.Reference;
import dev.fovea.runtime.kernels.train.NormTrain;

/** Softmax over the channels at each position (inside a network; a final softmax is fused with the loss instead). */
final class SoftmaxNode extends Node {
    private final Tensor in;
    private final int batch;
    private final int channels;
    private final int positions;

    SoftmaxNode(String name, Tensor in, Tensor out, int batch) {
        super(name, out);
        this.in = in;
        this.batch = batch;
        this.channels = in.shape.dim(0);
        this.positions = Math.toIntExact(in.shape.elements() / channels);
    }

    @Override
    void forward(Workers workers, boolean training) {
        Reference.softmax(in.value, out.value, batch, channels, positions);
    }

    @Override
    void backward(Workers workers) {
        NormTrain.softmaxBackward(out.value, out.grad, in.grad, batch, channels, positions);
    }

    @Override
    String kind() {
        return "Softmax";
    }
}
