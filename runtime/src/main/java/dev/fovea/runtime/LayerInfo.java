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
 */
public record LayerInfo(String name, String type, String detail, List<String> inputs, Shape output, long params, long macs,
        long trainingBytes) {
    public LayerInfo {
        inputs = List.copyOf(inputs);
    }

    /** Bytes of its output for one sample, in float32. */
    public long activationBytes() {
        return output.elements() * Float.BYTES;
    }
}
