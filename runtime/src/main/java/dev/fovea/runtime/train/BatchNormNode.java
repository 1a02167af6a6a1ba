package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.Reference;
import dev.fovea.runtime.kernels.VectorActivations;
import dev.fovea.runtime.kernels.train.NormTrain;

/**
 * Batch norm: batch statistics in training (which move the running ones), running statistics in eval
 * mode. Frozen (neither its scale nor its shift trained), it runs on its running statistics in training
 * too and leaves them as they are: a frozen layer of a fine-tuned network keeps what it learnt, where
 * PyTorch's and Keras' frozen norms go on moving with the new data unless put in eval mode by hand.
 *
 * <p>A learning norm may run the ReLU or ReLU6 after it ({@link FusedActivation}), which then runs in place
 * on the norm's output and does nothing itself: its forward pass on each row as it is written, its backward
 * pass on each row as the norm's reads it, so neither writes a tensor of its own.
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
    /** The activation run after the norm, or null. */
    private final FusedActivation fused;

    BatchNormNode(String name, Tensor in, Tensor out, int batch, float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
            float[] gammaGrad, float[] betaGrad, double eps, double momentum, FusedActivation fused) {
        super(name, out);
        if (fused != null && (fused.out().value != out.value || gammaGrad == null && betaGrad == null)) {
            throw new IllegalArgumentException(name + ": only a learning norm runs an activation, in place on its output");
        }
        this.fused = fused;
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
                    runningVar, eps, momentum, savedMean, savedInvStd, fused == null ? Activation.NONE : fused.function());
            this.backwardPass = learningBackward(false);
        }
    }

    /** A norm that learns stores its input's gradient when it writes it first (a frozen one still adds to it). */
    @Override
    java.util.List<Tensor> storeFirstWrites(java.util.List<Tensor> firstWritten) {
        java.util.List<Tensor> stored = gradientOf(in, firstWritten);
        if (stored.isEmpty() || (gammaGrad == null && betaGrad == null)) {
            return java.util.List.of();
        }
        backwardPass = learningBackward(true);
        return stored;
    }

    /** The backward pass of a learning norm, from the fused activation's output gradient when there is one. */
    private java.util.function.Consumer<Workers> learningBackward(boolean store) {
        return fused == null
                ? NormTrain.batchNormBackward(in.value, out.grad, in.grad, store, batch, channels, positions, gamma, savedMean, savedInvStd,
                        gammaGrad, betaGrad, Activation.NONE, null)
                : NormTrain.batchNormBackward(in.value, fused.out().grad, in.grad, store, batch, channels, positions, gamma, savedMean,
                        savedInvStd, gammaGrad, betaGrad, fused.function(), fused.out().value);
    }

    @Override
    void forward(Workers workers, boolean training) {
        if (training) {
            trainingForward.accept(workers);
        } else {
            Reference.batchNorm(in.value, out.value, batch, channels, positions, gamma, beta, runningMean, runningVar, eps);
            if (fused != null) {
                VectorActivations.apply(out.value, 0, out.size(), fused.function(), 0f);
            }
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
