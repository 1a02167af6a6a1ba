package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.Reference;
import dev.fovea.runtime.kernels.train.NormTrain;

/**
 * Batch norm: batch statistics in training (which move the running ones), running statistics in eval
 * mode. Frozen (neither its scale nor its shift trained), it runs on its running statistics in training
 * too and leaves them as they are: a frozen layer of a fine-tuned network keeps what it learnt, where
 * PyTorch's and Keras' frozen norms go on moving with the new data unless put in eval mode by hand.
 */
final class BatchNormNode extends Node {
    private final Tensor in;
    private final int batch;
    private final int channels;
    private final int positions;
    private final float[] gamma;
    private final float[] beta;
    private final float[] runningMean;
    private final float[] runningVar;
    private final float[] gammaGrad;
    private final float[] betaGrad;
    private final double eps;
    private final double momentum;
    private final float[] savedMean;
    private final float[] savedInvStd;
    private final java.util.function.Consumer<Workers> trainingForward;
    private java.util.function.Consumer<Workers> backwardPass;

    BatchNormNode(String name, Tensor in, Tensor out, int batch, float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
            float[] gammaGrad, float[] betaGrad, double eps, double momentum) {
        super(name, out);
        this.in = in;
        this.batch = batch;
        this.channels = in.shape.dim(0);
        this.positions = Math.toIntExact(in.shape.elements() / channels);
        this.gamma = gamma;
        this.beta = beta;
        this.runningMean = runningMean;
        this.runningVar = runningVar;
        this.gammaGrad = gammaGrad;
        this.betaGrad = betaGrad;
        this.eps = eps;
        this.momentum = momentum;
        this.savedMean = new float[channels];
        this.savedInvStd = new float[channels];
        if (gammaGrad == null && betaGrad == null) {
            this.trainingForward = NormTrain.frozenBatchNormForward(in.value, out.value, batch, channels, positions, gamma, beta, runningMean,
                    runningVar, eps, savedInvStd);
            this.backwardPass = in.hasGradient()
                    ? NormTrain.frozenBatchNormBackward(out.grad, in.grad, batch, channels, positions, gamma, savedInvStd)
                    : workers -> {};
        } else {
            this.trainingForward = NormTrain.batchNormForward(in.value, out.value, batch, channels, positions, gamma, beta, runningMean,
                    runningVar, eps, momentum, savedMean, savedInvStd);
            this.backwardPass = NormTrain.batchNormBackward(in.value, out.grad, in.grad, batch, channels, positions, gamma, savedMean,
                    savedInvStd, gammaGrad, betaGrad);
        }
    }

    /** A norm that learns stores its input's gradient when it writes it first (a frozen one still adds to it). */
    @Override
    java.util.List<Tensor> storeFirstWrites(java.util.List<Tensor> firstWritten) {
        java.util.List<Tensor> stored = gradientOf(in, firstWritten);
        if (stored.isEmpty() || (gammaGrad == null && betaGrad == null)) {
            return java.util.List.of();
        }
        backwardPass = NormTrain.batchNormBackward(in.value, out.grad, in.grad, true, batch, channels, positions, gamma, savedMean,
                savedInvStd, gammaGrad, betaGrad);
        return stored;
    }

    @Override
    void forward(Workers workers, boolean training) {
        if (training) {
            trainingForward.accept(workers);
        } else {
            Reference.batchNorm(in.value, out.value, batch, channels, positions, gamma, beta, runningMean, runningVar, eps);
        }
    }

    @Override
    void backward(Workers workers) {
        backwardPass.accept(workers);
    }

    @Override
    String kind() {
        return "BatchNorm";
    }
}
