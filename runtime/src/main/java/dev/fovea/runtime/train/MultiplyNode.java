package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import java.util.function.IntConsumer;

/** y = factor * x, a constant factor (Inception-ResNet's residual scaling); dx += factor * dy. */
final class MultiplyNode extends Node {
    private static final int CHUNK = 1 << 14;
    private final int tasks;
    private final IntConsumer forwardChunk;
    private final IntConsumer backwardChunk;

    MultiplyNode(String name, Tensor in, Tensor out, float factor) {
        super(name, out);
        int total = out.size();
        this.tasks = (total + CHUNK - 1) / CHUNK;
        this.forwardChunk = t -> {
            // y[i] = factor * x[i]
            for (int i = t * CHUNK, end = Math.min(total, i + CHUNK); i < end; i++) {
                out.value[i] = factor * in.value[i];
            }
        };
        this.backwardChunk = !in.hasGradient() ? null : t -> {
            // dx[i] += factor * dy[i]
            for (int i = t * CHUNK, end = Math.min(total, i + CHUNK); i < end; i++) {
                in.grad[i] += factor * out.grad[i];
            }
        };
    }

    @Override
    void forward(Workers workers, boolean training) {
        workers.parallelFor(tasks, forwardChunk);
    }

    @Override
    void backward(Workers workers) {
        if (backwardChunk != null) {
            workers.parallelFor(tasks, backwardChunk);
        }
    }

    @Override
    String kind() {
        return "Multiply";
    }
}
