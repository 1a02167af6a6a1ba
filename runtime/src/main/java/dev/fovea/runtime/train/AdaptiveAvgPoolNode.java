package dev.fovea.runtime.train;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.Reference;
import dev.fovea.runtime.kernels.train.PoolTrain;

final class AdaptiveAvgPoolNode extends Node {
    private final Tensor in;
    private final int planes;

    AdaptiveAvgPoolNode(String name, Tensor in, Tensor out, int batch) {
        super(name, out);
        this.in = in;
        this.planes = batch * in.shape.channels();
    }

    @Override
    void forward(Workers workers, boolean training) {
        Shape x = in.shape;
        Shape y = out.shape;
        Reference.adaptiveAvgPool2d(in.value, out.value, planes, 1, x.height(), x.width(), y.height(), y.width());
    }

    @Override
    void backward(Workers workers) {
        Shape x = in.shape;
        Shape y = out.shape;
        PoolTrain.adaptiveAvgBackward(workers, out.grad, in.grad, planes, x.height(), x.width(), y.height(), y.width());
    }

    @Override
    String kind() {
        return "AdaptiveAvgPool2d";
    }
}
