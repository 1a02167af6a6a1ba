package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Reference;
import dev.fovea.runtime.kernels.train.PoolTrain;
import java.util.function.IntConsumer;

/** Max pooling (with its switches) or average pooling. */
final class PoolNode extends Node {
    private final Tensor in;
    private final Layer.Pool2d layer;
    private final int planes;
    private final int[] switches;
    /** One plane's forward and backward pass each, built once. */
    private final IntConsumer maxForwardPlane;
    private final IntConsumer backwardPlane;

    PoolNode(Layer.Pool2d layer, Tensor in, Tensor out, int batch) {
        super(layer.name(), out);
        this.layer = layer;
        this.in = in;
        this.planes = batch * layer.in().channels();
        int[] s = layer.kind() == PoolKind.MAX ? new int[out.size()] : null;
        this.switches = s;
        int ih = layer.in().height();
        int iw = layer.in().width();
        int oh = layer.out().height();
        int ow = layer.out().width();
        Window w = layer.window();
        if (s == null) {
            this.maxForwardPlane = null;
            this.backwardPlane = p -> PoolTrain.avgBackward(out.grad, in.grad, p, ih, iw, oh, ow, w, layer.countIncludePad());
            return;
        }
        int[] corners = PoolTrain.plain2x2(w, ih, iw, oh, ow) ? PoolTrain.corners2x2(iw, oh, ow) : null;
        int[] laneColumns = PoolTrain.laneColumns(w.sw());
        this.maxForwardPlane = corners != null
                ? p -> PoolTrain.maxForward2x2(in.value, out.value, s, p, ih, iw, oh, ow, corners)
                : p -> PoolTrain.maxForwardPlane(in.value, out.value, s, p, ih, iw, oh, ow, w.kh(), w.kw(), w.sh(), w.sw(), w.padTop(),
                        w.padLeft(), w.dh(), w.dw(), laneColumns);
        this.backwardPlane = p -> PoolTrain.maxBackward(out.grad, s, in.grad, p, ih * iw, oh * ow);
    }

    @Override
    void forward(Workers workers, boolean training) {
        Window w = layer.window();
        if (switches != null) {
            workers.parallelFor(planes, maxForwardPlane);
            return;
        }
        Reference.pool2d(false, in.value, out.value, planes, 1, layer.in().height(), layer.in().width(), layer.out().height(),
                layer.out().width(), w.kh(), w.kw(), w.sh(), w.sw(), w.padTop(), w.padLeft(), w.padBottom(), w.padRight(), w.dh(), w.dw(),
                layer.countIncludePad());
    }

    @Override
    void backward(Workers workers) {
        workers.parallelFor(planes, backwardPlane);
    }

    @Override
    String kind() {
        return layer.kind() == PoolKind.MAX ? "MaxPool2d" : "AvgPool2d";
    }
}
