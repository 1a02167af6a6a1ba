package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.train.NormTrain;

/** Layer norm over the channels at each position (the same in training and eval mode). */
final class LayerNormNode extends Node {
    private final Tensor in;
    private final int batch;
    private final int channels;
    private final int positions;
    private final float[] gamma;
    private final float[] beta;
    private final float[] gammaGrad;
    private final float[] betaGrad;
    private final double eps;
    private final float[] savedMean;
    private final float[] savedInvStd;
    private final java.util.function.Consumer<Workers> forwardPass;
    private final java.util.function.Consumer<Workers> backwardPass;

    LayerNormNode(String name, Tensor in, Tensor out, int batch, float[] gamma, float[] beta, float[] gammaGrad, float[] betaGrad,
            double eps) {
        super(name, out);
        this.in = in;
        this.batch = batch;
        this.channels = in.shape.dim(0);
        this.positions = Math.toIntExact(in.shape.elements() / channels);
        this.gamma = gamma;
        this.beta = beta;
        this.gammaGrad = gammaGrad;
        this.betaGrad = betaGrad;
        this.eps = eps;
        this.savedMean = new float[batch * positions];
        this.savedInvStd = new float[batch * positions];
        this.forwardPass = NormTrain.layerNormForward(in.value, out.value, batch, channels, positions, gamma, beta, eps, savedMean, savedInvStd);
        this.backwardPass = NormTrain.layerNormBackward(in.value, out.grad, in.grad, batch, channels, positions, gamma, savedMean, savedInvStd,
                gammaGrad, betaGrad);
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
        return "LayerNorm";
    }
}
