package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.train.ElementwiseTrain;

/**
 * Inverted dropout while training, the identity in eval mode or when the session turns dropout off: of
 * each value (dropout) or of each sample's whole tensor (drop path). The mask of each
 * step comes from the session's seed, the step and the layer, so runs repeat exactly.
 */
final class DropoutNode extends Node {
    private final Tensor in;
    private final double rate;
    private final float[] mask;
    private final long layerSeed;
    private final TrainingState state;
    private final java.util.function.Consumer<Workers> maskedForward;
    private final java.util.function.Consumer<Workers> backwardPass;
    private final String kind;

    /** @param samples 0 to drop values one by one (dropout); the batch, to drop each sample whole (drop path) */
    DropoutNode(String name, Tensor in, Tensor out, double rate, int samples, long layerSeed, TrainingState state) {
        super(name, out);
        this.in = in;
        this.rate = rate;
        this.mask = new float[out.size()];
        this.layerSeed = layerSeed;
        this.state = state;
        this.kind = samples > 0 ? "DropPath" : "Dropout";
        this.maskedForward = samples > 0 ? ElementwiseTrain.dropPathForward(in.value, out.value, mask, samples, out.size() / samples, rate,
                this::stepSeed) : ElementwiseTrain.dropoutForward(in.value, out.value, mask, out.size(), rate, this::stepSeed);
        this.backwardPass = ElementwiseTrain.multiplyBackward(out.grad, mask, in.grad, out.size());
    }

    /** This step's seed for this layer's mask. */
    private long stepSeed() {
        return state.seed() * 0x9E3779B97F4A7C15L + state.step() * 0xC2B2AE3D27D4EB4FL + layerSeed;
    }

    @Override
    void forward(Workers workers, boolean training) {
        if (training && state.dropout() && rate > 0) {
            maskedForward.accept(workers);
        } else {
            java.util.Arrays.fill(mask, 1);
            System.arraycopy(in.value, 0, out.value, 0, out.size());
        }
    }

    @Override
    void backward(Workers workers) {
        backwardPass.accept(workers);
    }

    @Override
    String kind() {
        return kind;
    }
}
