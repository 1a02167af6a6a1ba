package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import java.util.List;

/** Channel concatenation: each input's gradient is its slice of the output's. */
final class ConcatNode extends Node {
    private final List<Tensor> ins;
    private final int batch;

    ConcatNode(String name, List<Tensor> ins, Tensor out, int batch) {
        super(name, out);
        this.ins = List.copyOf(ins);
        this.batch = batch;
    }

    @Override
    void forward(Workers workers, boolean training) {
        int sample = out.size() / batch;
        workers.parallelFor(batch, b -> {
            int at = b * sample;
            for (Tensor in : ins) {
                int size = in.size() / batch;
                System.arraycopy(in.value, b * size, out.value, at, size);
                at += size;
            }
        });
    }

    @Override
    void backward(Workers workers) {
        int sample = out.size() / batch;
        workers.parallelFor(batch, b -> {
            int at = b * sample;
            for (Tensor in : ins) {
                int size = in.size() / batch;
                if (in.hasGradient()) {
                    for (int i = 0; i < size; i++) {
                        in.grad[b * size + i] += out.grad[at + i];
                    }
                }
                at += size;
            }
        });
    }

    @Override
    String kind() {
        return "Concat";
    }
}
