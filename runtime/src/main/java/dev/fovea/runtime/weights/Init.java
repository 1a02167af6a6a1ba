package dev.fovea.runtime.weights;

/**
 * How a tensor starts, as PyTorch initialises it by default: weights and biases of convolutions and
 * linear layers uniform in +-1/sqrt(fan in); norms' scales one and shifts zero; running variance one.
 */
public record Init(Kind kind, double value) {
    public enum Kind { ZEROS, CONSTANT, UNIFORM_FAN_IN }

    public static final Init ZEROS = new Init(Kind.ZEROS, 0);
    public static final Init ONES = new Init(Kind.CONSTANT, 1);

    public static Init constant(double value) {
        return new Init(Kind.CONSTANT, value);
    }

    /** Uniform in [-1/sqrt(fanIn), 1/sqrt(fanIn)]: PyTorch's kaiming_uniform(a = sqrt 5) for weights, and its bias rule. */
    public static Init fanIn(int fanIn) {
        return new Init(Kind.UNIFORM_FAN_IN, fanIn);
    }
}
