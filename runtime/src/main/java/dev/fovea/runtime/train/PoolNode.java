package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Reference;
import dev.fovea.runtime.kernels.train.PoolTrain;

/** Max pooling (with its switches) or average pooling. */
final class PoolNode extends Node {
    private final Tensor in;
    private final Layer.Pool2d layer;
    private final int planes;
    private final int[] switches;

    PoolNode(Layer.Pool2d layer, Tensor in, Tensor out, int batch) {
        super(layer.name(), out);
        this.layer = layer;
        this.in = in;
        this.planes = batch * layer.in().channels();
        this.switches = layer.kind() == PoolKind.MAX ? new int[out.size()] : null;
    }

    @Override
    void forward(Workers workers, boolean training) {
        Window w = layer.window();
        if (switches != null) {
            PoolTrain.maxForward(workers, in.value, out.value, switches, planes, layer.in().height(), layer.in().width(), layer.out().height(),
                    layer.out().width(), w);
            return;
        }
        Reference.pool2d(false, in.value, out.value, planes, 1, layer.in().height(), layer.in().width(), layer.out().height(),
                layer.out().width(), w.kh(), w.kw(), w.sh(), w.sw(), w.padTop(), w.padLeft(), w.padBottom(), w.padRight(), w.dh(), w.dw(),
                layer.countIncludePad());
    }

    @Override
    void backward(Workers workers) {
        int ih = layer.in().height();
        int iw = layer.in().width();
        int oh = layer.out().height();
        int ow = layer.out().width();
        if (switches != null) {
            PoolTrain.maxBackward(workers, out.grad, switches, in.grad, planes, ih * iw, oh * ow);
        } else {
            PoolTrain.avgBackward(workers, out.grad, in.grad, planes, ih, iw, oh, ow, layer.window(), layer.countIncludePad());
        }
    }

    @Override
    String kind() {
        return layer.kind() == PoolKind.MAX ? "MaxPool2d" : "AvgPool2d";
    }
}
