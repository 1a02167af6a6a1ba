package dev.fovea.runtime.kernels;

/**
 * What a convolution or linear layer does to each output after its sum: add a bias (batch norm folded
 * in), add a residual tensor of the output's shape, apply an activation, or add everything onto what
 * the output already holds (a projection shortcut summed into the block's result). A blocked residual
 * may lie inside a zero frame ({@code residualFrame}), where the convolution that also reads it as its
 * input wants it; null when it does not.
 */
public record Epilogue(float[] bias, float[] residual, Activation activation, float slope, boolean accumulate,
        ChannelBlocks.Frame residualFrame) {
    /** ReLU6's upper bound. */
    public static final float CAP = 6f;

    public Epilogue(float[] bias, float[] residual, Activation activation, float slope, boolean accumulate) {
        this(bias, residual, activation, slope, accumulate, null);
    }

    public static Epilogue of(float[] bias) {
        return new Epilogue(bias, null, Activation.NONE, 0, false);
    }

    public Epilogue withActivation(Activation a, float s) {
        return new Epilogue(bias, residual, a, s, accumulate, residualFrame);
    }

    public Epilogue withResidual(float[] r) {
        return new Epilogue(bias, r, activation, slope, accumulate);
    }

    public Epilogue accumulating() {
        return new Epilogue(bias, residual, activation, slope, true, residualFrame);
    }

    /** LeakyReLU: a kernel's store scales negatives by the {@link #slope}. */
    public boolean leaky() {
        return activation == Activation.LEAKY_RELU;
    }

    /** ReLU or ReLU6: a kernel's store clamps below at 0, and for {@link #capped} above at {@link #CAP}. */
    public boolean clamps() {
        return activation == Activation.RELU || activation == Activation.RELU6;
    }

    /**
     * ReLU6: a kernel's store also clamps above. Asked apart, so that a ReLU's store spends no compare
     * and blend on a bound at infinity.
     */
    public boolean capped() {
        return activation == Activation.RELU6;
    }

    /** The lower bound of a store that clamps both ways (a tile that takes bounds, not flags): 0 for ReLU and ReLU6. */
    public float floor() {
        return clamps() ? 0f : Float.NEGATIVE_INFINITY;
    }

    /** The upper bound of such a store: {@link #CAP} for ReLU6. */
    public float ceiling() {
        return capped() ? CAP : Float.POSITIVE_INFINITY;
    }

    /** Activations the vector epilogue computes: all of them (softmax is not element-wise and not an Activation). */
    public static boolean fusable(Activation a) {
        return true;
    }
}
