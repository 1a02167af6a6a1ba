package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.kernels.Reference;
import dev.fovea.runtime.kernels.train.NormTrain;

final class LocalResponseNormNode extends Node {
    private final Tensor in;
    private final int batch;
    private final int channels;
    private final int positions;
    private final Layer.LocalResponseNorm layer;
    private final double[] windowSums;
    private final java.util.function.Consumer<Workers> backwardPass;

    LocalResponseNormNode(Layer.LocalResponseNorm layer, Tensor in, Tensor out, int batch) {
        super(layer.name(), out);
        this.layer = layer;
        this.in = in;
        this.batch = batch;
        this.channels = in.shape.dim(0);
        this.positions = Math.toIntExact(in.shape.elements() / channels);
        this.windowSums = new double[batch * channels];
        this.backwardPass = NormTrain.localResponseNormBackward(in.value, out.grad, in.grad, batch, channels, positions, layer.size(), layer.alpha(),
                layer.beta(), layer.k(), windowSums);
    }

    @Override
    void forward(Workers workers, boolean training) {
        Reference.localResponseNorm(in.value, out.value, batch, channels, positions, layer.size(), layer.alpha(), layer.beta(), layer.k());
    }

    @Override
    void backward(Workers workers) {
        backwardPass.accept(workers);
    }

    @Override
    String kind() {
        return "LocalResponseNorm";
    }
}
