package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.Reference;
import dev.fovea.runtime.kernels.train.ElementwiseTrain;

/**
 * A per-channel product: layer scale (a learned factor per channel) or squeeze-and-excitation (gates per
 * sample and channel, from another layer).
 */
final class ScaleNode extends Node {
    private final Tensor in;
    private final Tensor gates;
    private final float[] factor;
    private final float[] factorGrad;
    private final int batch;
    private final int channels;
    private final int positions;
    private final java.util.function.Consumer<Workers> backwardPass;

    /** Layer scale: {@code factor} is the learned tensor. */
    static ScaleNode layerScale(String name, Tensor in, Tensor out, int batch, float[] factor, float[] factorGrad) {
        return new ScaleNode(name, in, null, out, batch, factor, factorGrad);
    }

    /** Squeeze-and-excitation: {@code gates} is a batch x channels tensor. */
    static ScaleNode gated(String name, Tensor gates, Tensor in, Tensor out, int batch) {
        return new ScaleNode(name, in, gates, out, batch, gates.value, gates.grad);
    }

    private ScaleNode(String name, Tensor in, Tensor gates, Tensor out, int batch, float[] factor, float[] factorGrad) {
        super(name, out);
        this.in = in;
        this.gates = gates;
        this.factor = factor;
        this.factorGrad = factorGrad;
        this.batch = batch;
        this.channels = in.shape.dim(0);
        this.positions = Math.toIntExact(in.shape.elements() / channels);
        this.backwardPass = ElementwiseTrain.scaleBackward(in.value, factor, out.grad, in.grad, factorGrad, batch, channels, positions,
                gates != null);
    }

    @Override
    void forward(Workers workers, boolean training) {
        Reference.scaleChannels(in.value, factor, out.value, batch, channels, positions, gates != null);
    }

    @Override
    void backward(Workers workers) {
        backwardPass.accept(workers);
    }

    @Override
    String kind() {
        return gates != null ? "Scale" : "LayerScale";
    }
}
