package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.ConvGeometry;
import dev.fovea.runtime.kernels.train.ConvTrain;
import dev.fovea.runtime.kernels.train.Scratch;
import java.util.List;

/**
 * A convolution (also a pointwise dense layer, a projection shortcut's 1x1 convolution, and LeNet-5's
 * partially connected one, whose weight holds only the connected pairs: it is spread into a full
 * weight before the forward pass, and the full weight's gradient gathered back after the backward).
 */
final class ConvNode extends Node {
    private final Tensor in;
    private final ConvTrain conv;
    private final float[] weight;
    private final float[] bias;
    private final float[] weightGrad;
    private final float[] biasGrad;
    private final List<String> connections;
    private final float[] full;
    private final float[] fullGrad;
    /** Whether the backward pass stores the input's gradient (it writes it first), so that it needs no zeroing. */
    private boolean storeInputGradient;

    ConvNode(String name, Tensor in, Tensor out, ConvGeometry g, int batch, int threads, Scratch shared, float[] weight, float[] bias, float[] weightGrad,
            float[] biasGrad, List<String> connections) {
        super(name, out);
        this.in = in;
        this.conv = new ConvTrain(g, batch, threads, shared);
        this.weight = weight;
        this.bias = bias;
        this.weightGrad = weightGrad;
        this.biasGrad = biasGrad;
        this.connections = connections;
        boolean partial = !connections.isEmpty();
        this.full = partial ? new float[g.co() * g.k()] : null;
        this.fullGrad = partial && weightGrad != null ? new float[full.length] : null;
    }

    @Override
    void forward(Workers workers, boolean training) {
        if (full != null) {
            spread();
        }
        conv.forward(workers, in.value, full != null ? full : weight, bias, out.value);
    }

    @Override
    void backward(Workers workers) {
        if (fullGrad != null) {
            java.util.Arrays.fill(fullGrad, 0);
        }
        conv.backward(workers, in.value, full != null ? full : weight, out.grad, in.grad, storeInputGradient,
                fullGrad != null ? fullGrad : weightGrad, biasGrad);
        if (fullGrad != null) {
            gather();
        }
    }

    /** A convolution in lanes stores its input's gradient when it writes it first; products add to it. */
    @Override
    List<Tensor> storeFirstWrites(List<Tensor> firstWritten) {
        List<Tensor> stored = conv.storesInputGradient() ? gradientOf(in, firstWritten) : List.of();
        storeInputGradient = !stored.isEmpty();
        return stored;
    }

    /** The connected pairs' kernels into their places of the full weight (output-major, as the table lists them). */
    private void spread() {
        ConvGeometry g = conv.geometry();
        int area = g.kh() * g.kw();
        int link = 0;
        for (int o = 0; o < g.co(); o++) {
            for (int c = 0; c < g.ci(); c++) {
                int at = (o * g.ci() + c) * area;
                if (connections.get(c).charAt(o) == 'X') {
                    System.arraycopy(weight, link * area, full, at, area);
                    link++;
                } else {
                    java.util.Arrays.fill(full, at, at + area, 0);
                }
            }
        }
    }

    private void gather() {
        ConvGeometry g = conv.geometry();
        int area = g.kh() * g.kw();
        int link = 0;
        for (int o = 0; o < g.co(); o++) {
            for (int c = 0; c < g.ci(); c++) {
                if (connections.get(c).charAt(o) == 'X') {
                    for (int i = 0; i < area; i++) {
                        weightGrad[link * area + i] += fullGrad[(o * g.ci() + c) * area + i];
                    }
                    link++;
                }
            }
        }
    }

    @Override
    String kind() {
        return "Conv2d " + conv.kernel();
    }
}
