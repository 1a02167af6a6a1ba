package dev.fovea.runtime.train;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.Reference;
import dev.fovea.runtime.kernels.train.PoolTrain;
import java.util.function.IntConsumer;

final class AdaptiveAvgPoolNode extends Node {
    private final Tensor in;
    private final int planes;
    private final IntConsumer backwardPlane;

    AdaptiveAvgPoolNode(String name, Tensor in, Tensor out, int batch) {
        super(name, out);
        this.in = in;
        this.planes = batch * in.shape.channels();
        Shape x = in.shape;
        Shape y = out.shape;
        this.backwardPlane = p -> PoolTrain.adaptiveAvgBackward(out.grad, in.grad, p, x.height(), x.width(), y.height(), y.width());
    }

    @Override
    void forward(Workers workers, boolean training) {
        Shape x = in.shape;
        Shape y = out.shape;
        Reference.adaptiveAvgPool2d(in.value, out.value, planes, 1, x.height(), x.width(), y.height(), y.width());
    }

    @Override
    void backward(Workers workers) {
        workers.parallelFor(planes, backwardPlane);
    }

    @Override
    String kind() {
        return "AdaptiveAvgPool2d";
    }
}
