package dev.fovea.spark;

import dev.fovea.runtime.fit.GradientReducer;
import dev.fovea.runtime.train.Gradients;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the replicas identical after every backward pass: averages the gradients, and batch norm's running
 * statistics, across the ring in one all-reduce. Batch statistics stay each worker's own (its batch's mean
 * and variance normalise its batch, as in PyTorch's DistributedDataParallel without SyncBatchNorm); the
 * running statistics every worker updated from its own batch are averaged, so every replica evaluates with
 * the same ones and a checkpoint from any of them is the run's.
 */
final class ReplicaSync implements GradientReducer {
    private final RingAllReduce ring;
    private final List<float[]> statistics = new ArrayList<>();
    private float[] packed = new float[0];

    ReplicaSync(RingAllReduce ring, Parameters parameters) {
        this.ring = ring;
        for (TensorSpec spec : parameters.specs()) {
            if (spec.buffer()) {
                statistics.add(parameters.get(spec.name()));
            }
        }
    }

    @Override
    public void reduce(Gradients gradients) {
        if (ring.workers() == 1) {
            return;
        }
        List<float[]> tensors = new ArrayList<>(statistics.size() + gradients.names().size());
        gradients.names().forEach(n -> tensors.add(gradients.get(n)));
        tensors.addAll(statistics);
        int total = 0;
        for (float[] t : tensors) {
            total += t.length;
        }
        if (packed.length != total) {
            packed = new float[total];
        }
        int at = 0;
        for (float[] t : tensors) {
            System.arraycopy(t, 0, packed, at, t.length);
            at += t.length;
        }
        ring.average(packed);
        at = 0;
        for (float[] t : tensors) {
            System.arraycopy(packed, at, t, 0, t.length);
            at += t.length;
        }
    }
}
