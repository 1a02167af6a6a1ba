package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.Reference;
import dev.fovea.runtime.kernels.train.ElementwiseTrain;

/** LeNet-5's RBF output layer. */
final class EuclideanRbfNode extends Node {
    private final Tensor in;
    private final int batch;
    private final float[] weight;
    private final float[] weightGrad;

    EuclideanRbfNode(String name, Tensor in, Tensor out, int batch, float[] weight, float[] weightGrad) {
        super(name, out);
        this.in = in;
        this.batch = batch;
        this.weight = weight;
        this.weightGrad = weightGrad;
    }

    @Override
    void forward(Workers workers, boolean training) {
        Reference.euclideanRbf(in.value, weight, out.value, batch, (int) in.shape.elements(), (int) out.shape.elements());
    }

    @Override
    void backward(Workers workers) {
        ElementwiseTrain.euclideanRbfBackward(in.value, weight, out.grad, in.grad, weightGrad, batch, (int) in.shape.elements(),
                (int) out.shape.elements());
    }

    @Override
    String kind() {
        return "EuclideanRbf";
    }
}
