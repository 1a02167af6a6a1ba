package dev.fovea.runtime;

import java.util.List;

/**
 * One layer of a model as the compiler saw it.
 *
 * @param name      the layer's path in Java names ({@code layer1.0.conv1}; stacked layers get
 *                  {@code conv1/batchnorm})
 * @param type      its kind ({@code Conv2d}, {@code ReLU}, ...)
 * @param detail    its hyper-parameters in short ({@code 3x3/2 p1 64})
 * @param inputs    the layers it reads
 * @param output    its output shape for one sample
 * @param params    its learnable parameters
 * @param macs      its multiply-accumulates for one sample
 * @param trainingBytes what a training session keeps for it, per sample: its output for the backward
 *                  pass and what its backward pass needs besides (the outputs' gradients share buffers,
 *                  counted for the whole model in {@link ModelInfo#gradientBytesPerSample()})
 * @param role      empty, or how the layer trains and, in a derived network, where it came from:
 *                  {@code frozen}, {@code inherited}, {@code inherited, frozen}, {@code replaced}, {@code added}
 */
public record LayerInfo(String name, String type, String detail, List<String> inputs, Shape output, long params, long macs,
        long trainingBytes, String role) {
    public LayerInfo {
        inputs = List.copyOf(inputs);
    }

    /** A layer of a network that is not derived and not frozen. */
    public LayerInfo(String name, String type, String detail, List<String> inputs, Shape output, long params, long macs, long trainingBytes) {
        this(name, type, detail, inputs, output, params, macs, trainingBytes, "");
    }

    public boolean frozen() {
        return role.endsWith("frozen");
    }

    /** Bytes of its output for one sample, in float32. */
    public long activationBytes() {
        return output.elements() * Float.BYTES;
    }
}
