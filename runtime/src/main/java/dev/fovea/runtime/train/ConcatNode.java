package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import java.util.List;
import java.util.function.IntConsumer;

/** Channel concatenation: each input's gradient is its slice of the output's. */
final class ConcatNode extends Node {
    private final Tensor[] ins;
    private final int batch;
    /** One sample's copy in, and its gradient out: built once. */
    private final IntConsumer forwardSample = this::forwardSample;
    private final IntConsumer backwardSample = this::backwardSample;

    ConcatNode(String name, List<Tensor> ins, Tensor out, int batch) {
        super(name, out);
        this.ins = ins.toArray(Tensor[]::new);
        this.batch = batch;
    }

    @Override
    void forward(Workers workers, boolean training) {
        workers.parallelFor(batch, forwardSample);
    }

    private void forwardSample(int b) {
        int at = b * (out.size() / batch);
        for (Tensor in : ins) {
            int size = in.size() / batch;
            System.arraycopy(in.value, b * size, out.value, at, size);
            at += size;
        }
    }

    @Override
    void backward(Workers workers) {
        workers.parallelFor(batch, backwardSample);
    }

    private void backwardSample(int b) {
        int at = b * (out.size() / batch);
        for (Tensor in : ins) {
            int size = in.size() / batch;
            if (in.hasGradient()) {
                for (int i = 0; i < size; i++) {
                    in.grad[b * size + i] += out.grad[at + i];
                }
            }
            at += size;
        }
    }

    @Override
    String kind() {
        return "Concat";
    }
}
