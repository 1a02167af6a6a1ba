package dev.fovea.runtime;

import java.util.List;

/**
 * What the compiler computed about a network: shapes, parameter counts, multiply-accumulates and
 * activation memory, for one sample. Every generated model exposes one as {@code INFO}.
 *
 * @param name                the network's qualified class name
 * @param input               input shape of one sample
 * @param output              output shape of one sample
 * @param params              learnable parameters (weights and biases), as PyTorch counts them
 * @param trainableParams     those not frozen
 * @param bufferValues        non-learned state (batch norm's running mean and variance)
 * @param macs                multiply-accumulates of convolutions and dense layers
 * @param activationBytes     bytes of every layer's output (float32), what training keeps
 * @param peakActivationBytes the most activation bytes live at once in inference, by the buffer plan
 * @param trainingBytesPerSample what a training session holds per sample: kept outputs, and their gradients in
 *                            buffers shared by live range
 * @param parameterGradientBytes the trainable parameters' gradients, once per session
 * @param layers              every layer, in execution order
 * @param base                the qualified name of the network this one is derived from ({@code @Derive}), or empty
 */
public record ModelInfo(String name, Shape input, Shape output, long params, long trainableParams, long bufferValues,
        long macs, long activationBytes, long peakActivationBytes, long trainingBytesPerSample, long parameterGradientBytes,
        List<LayerInfo> layers, String base) {
    public ModelInfo {
        layers = List.copyOf(layers);
    }

    /** A network that is not derived from another. */
    public ModelInfo(String name, Shape input, Shape output, long params, long trainableParams, long bufferValues,
            long macs, long activationBytes, long peakActivationBytes, long trainingBytesPerSample, long parameterGradientBytes,
            List<LayerInfo> layers) {
        this(name, input, output, params, trainableParams, bufferValues, macs, activationBytes, peakActivationBytes, trainingBytesPerSample,
                parameterGradientBytes, layers, "");
    }

    public String simpleName() {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** Of {@link #trainingBytesPerSample}, the buffers the outputs' gradients share. */
    public long gradientBytesPerSample() {
        return trainingBytesPerSample - layers.stream().mapToLong(LayerInfo::trainingBytes).sum();
    }

    /** A training session's buffers for a batch (without the kernels' scratch, which depends on the threads). */
    public long trainingBytes(int batch) {
        return batch * trainingBytesPerSample + parameterGradientBytes;
    }

    /** The Keras-style table of layers and totals, with training memory per sample. */
    public String summary() {
        return SummaryTable.render(this, 0);
    }

    /** The same, with the training memory of a batch. */
    public String summary(int batch) {
        return SummaryTable.render(this, batch);
    }
}
