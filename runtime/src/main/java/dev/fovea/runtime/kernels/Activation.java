package dev.fovea.runtime.kernels;

/** Element-wise activations, as PyTorch defines them. Softmax, which is not element-wise, is a kernel of its own. */
public enum Activation {
    NONE, RELU, RELU6, LEAKY_RELU, TANH, SIGMOID, SILU, GELU, HARD_SWISH, HARD_SIGMOID;

    /**
     * Whether its derivative follows from its output alone (ReLU and ReLU6 pass the gradient where the
     * output is above 0 and below the cap, tanh and the sigmoid are functions of it): then training may
     * write the output over the input, which nothing else needs.
     */
    public boolean gradientFromOutput() {
        return this == RELU || this == RELU6 || this == TANH || this == SIGMOID;
    }

    /** {@code slope} is LeakyReLU's and ignored by the others. */
    public float apply(float x, float slope) {
        return switch (this) {
            case NONE -> x;
            case RELU -> x > 0 ? x : 0;
            case RELU6 -> Math.min(Math.max(x, 0), 6);
            case LEAKY_RELU -> x > 0 ? x : x * slope;
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case SILU -> (float) (x / (1.0 + Math.exp(-x)));
            case GELU -> (float) (0.5 * x * (1.0 + Erf.erf(x / Math.sqrt(2.0))));
            case HARD_SWISH -> x * Math.min(Math.max(x + 3, 0), 6) / 6; // in PyTorch's order of operations
            case HARD_SIGMOID -> Math.min(Math.max(x + 3, 0), 6) / 6;
        };
    }

    public void apply(float[] data, int from, int to, float slope) {
        if (this == NONE) {
            return;
        }
        for (int i = from; i < to; i++) {
            data[i] = apply(data[i], slope);
        }
    }
}
