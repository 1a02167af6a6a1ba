package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.train.DenseTrain;

/** A linear layer on flat samples. */
final class DenseNode extends Node {
    private final Tensor in;
    private final int batch;
    private final int features;
    private final int units;
    private final float[] weight;
    private final float[] bias;
    private final float[] weightGrad;
    private final float[] biasGrad;
    private final java.util.function.Consumer<Workers> forwardPass;
    private final java.util.function.Consumer<Workers> backwardPass;

    DenseNode(String name, Tensor in, Tensor out, int batch, float[] weight, float[] bias, float[] weightGrad, float[] biasGrad) {
        super(name, out);
        this.in = in;
        this.batch = batch;
        this.features = Math.toIntExact(in.shape.elements());
        this.units = Math.toIntExact(out.shape.elements());
        this.weight = weight;
        this.bias = bias;
        this.weightGrad = weightGrad;
        this.biasGrad = biasGrad;
        this.forwardPass = DenseTrain.forward(in.value, weight, bias, out.value, batch, features, units);
        this.backwardPass = DenseTrain.backward(in.value, weight, out.grad, in.grad, weightGrad, biasGrad, batch, features, units);
    }

    @Override
    void forward(Workers workers, boolean training) {
        forwardPass.accept(workers);
    }

    @Override
    void backward(Workers workers) {
        backwardPass.accept(workers);
    }

    @Override
    String kind() {
        return "Dense";
    }
}
