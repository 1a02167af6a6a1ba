package dev.fovea.runtime.train;

import dev.fovea.runtime.kernels.Activation;

/**
 * A ReLU or ReLU6 that runs inside the node before it (a batch norm that learns, a residual addition),
 * in place on that node's output: its function and its own tensor, whose values are that output and
 * whose gradient the node's backward pass reads. Its own node then does nothing.
 */
record FusedActivation(Activation function, Tensor out) {
    FusedActivation {
        if (function != Activation.RELU && function != Activation.RELU6) {
            throw new IllegalArgumentException("only ReLU and ReLU6 run fused, not " + function);
        }
    }
}
