package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Reference;
import dev.fovea.runtime.kernels.train.ElementwiseTrain;

/** LeNet-5's trainable subsampling. */
final class SubsampleNode extends Node {
    private final Tensor in;
    private final Layer.Subsample layer;
    private final int batch;
    private final float[] weight;
    private final float[] bias;
    private final float[] weightGrad;
    private final float[] biasGrad;

    SubsampleNode(Layer.Subsample layer, Tensor in, Tensor out, int batch, float[] weight, float[] bias, float[] weightGrad,
            float[] biasGrad) {
        super(layer.name(), out);
        this.layer = layer;
        this.in = in;
        this.batch = batch;
        this.weight = weight;
        this.bias = bias;
        this.weightGrad = weightGrad;
        this.biasGrad = biasGrad;
    }

    @Override
    void forward(Workers workers, boolean training) {
        Window w = layer.window();
        Reference.subsample(in.value, out.value, batch, layer.in().channels(), layer.in().height(), layer.in().width(), layer.out().height(),
                layer.out().width(), w.kh(), w.kw(), w.sh(), w.sw(), weight, bias);
    }

    @Override
    void backward(Workers workers) {
        Window w = layer.window();
        ElementwiseTrain.subsampleBackward(in.value, out.grad, in.grad, weight, weightGrad, biasGrad, batch, layer.in().channels(),
                layer.in().height(), layer.in().width(), layer.out().height(), layer.out().width(), w.kh(), w.kw(), w.sh(), w.sw());
    }

    @Override
    String kind() {
        return "Subsample";
    }
}
