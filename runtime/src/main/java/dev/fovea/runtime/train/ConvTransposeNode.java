package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.ConvGeometry;
import dev.fovea.runtime.kernels.train.ConvTrain;
import dev.fovea.runtime.kernels.train.Scratch;

/**
 * A transposed convolution, as the convolution it transposes: one whose input is this layer's output and
 * whose output is this layer's input, with the same weight (PyTorch's ci x co/groups x kh x kw is that
 * convolution's co x ci/groups x kh x kw). Its forward pass is that convolution's data gradient, its
 * data gradient that convolution's forward pass, and its weight gradient that convolution's weight
 * gradient with the roles of input and output gradient swapped.
 */
final class ConvTransposeNode extends Node {
    private final Tensor in;
    private final ConvTrain conv;
    private final float[] weight;
    private final float[] bias;
    private final float[] weightGrad;
    private final float[] biasGrad;
    private final int positions;
    /** The data gradient before it is added to the input's (the convolution's forward pass overwrites). */
    private final float[] scratch;

    /** {@code transposed}: the convolution from this layer's output to its input. */
    ConvTransposeNode(String name, Tensor in, Tensor out, ConvGeometry transposed, int batch, int threads, Scratch shared, float[] weight, float[] bias,
            float[] weightGrad, float[] biasGrad) {
        super(name, out);
        this.in = in;
        this.conv = new ConvTrain(transposed, batch, threads, shared);
        this.weight = weight;
        this.bias = bias;
        this.weightGrad = weightGrad;
        this.biasGrad = biasGrad;
        this.positions = transposed.ih() * transposed.iw();
        this.scratch = in.hasGradient() ? new float[in.size()] : null;
    }

    @Override
    void forward(Workers workers, boolean training) {
        int channels = conv.geometry().ci();
        for (int plane = 0; plane < out.size() / positions; plane++) {
            java.util.Arrays.fill(out.value, plane * positions, (plane + 1) * positions, bias == null ? 0 : bias[plane % channels]);
        }
        conv.backward(workers, null, weight, in.value, out.value, null, null);
    }

    @Override
    void backward(Workers workers) {
        if (in.hasGradient()) {
            conv.forward(workers, out.grad, weight, null, scratch);
            for (int i = 0; i < scratch.length; i++) {
                in.grad[i] += scratch[i];
            }
        }
        if (weightGrad != null) {
            conv.backward(workers, out.grad, null, in.value, null, weightGrad, null);
        }
        if (biasGrad != null) {
            int channels = conv.geometry().ci();
            for (int plane = 0; plane < out.size() / positions; plane++) {
                double sum = 0;
                for (int p = 0; p < positions; p++) {
                    sum += out.grad[plane * positions + p];
                }
                biasGrad[plane % channels] += (float) sum;
            }
        }
    }

    @Override
    String kind() {
        return "ConvTranspose2d";
    }
}
