package dev.fovea.runtime.exec;

import dev.fovea.runtime.kernels.ExpandDepthwise;
import dev.fovea.runtime.kernels.OutputSlice;
import java.util.function.IntConsumer;

/**
 * Where a projection that runs inside a fused step writes when the compiler's plan puts its output in
 * the step's own input (plans that alternate two arrays, as MobileNet v2's first block's does): the
 * later bands still read those rows, so the projection writes into the depthwise tensor's array, which
 * the fused step leaves unused, and the batch is copied to its own array once the job is done. A copy
 * of the projection's output costs less than the depthwise tensor's trip to memory and back.
 */
final class ProjectionStaging {
    /**
     * Floats of the batch's depthwise tensor (8 MiB) from which a projection writes through it: a smaller
     * one stays in the caches between the two layers apart. At batch 1, MobileNet v2's first block took
     * 0.31 ms this way against 0.24 to 0.29 apart (with the copy then made by samples, so by one thread).
     */
    private static final long LARGE_FLOATS = 2L << 20;
    /** Parts of the copy, so that both threads move some whatever the batch. */
    private static final int COPY_TASKS = 8;

    private final float[] staged;
    private final float[] target;
    private final int floats;
    private final OutputSlice slice;
    private final IntConsumer copy;

    private ProjectionStaging(float[] staged, float[] target, int sampleFloats, int batch) {
        this.staged = staged;
        this.target = target;
        this.floats = sampleFloats * batch;
        this.slice = OutputSlice.whole(sampleFloats);
        this.copy = task -> {
            int from = (int) ((long) floats * task / COPY_TASKS);
            int to = (int) ((long) floats * (task + 1) / COPY_TASKS);
            System.arraycopy(this.staged, from, this.target, from, to - from);
        };
    }

    /**
     * Whether the depthwise tensor's array (p's input) can take projection p's whole output: p writes its
     * whole own array, with no border and no other layer's channels, so that every float the copy moves is
     * one p wrote; and no more floats a sample than the depthwise tensor has, so that the staging writes
     * only where the depthwise layer itself would have (its array may hold other tensors between passes);
     * and a depthwise tensor large enough for its trip to memory to cost more than the copy.
     */
    static boolean fits(LinearStep p) {
        int sampleFloats = p.bandPass().kernel().outSampleFloats();
        return !p.writesFramed() && p.outSlice().equals(OutputSlice.whole(sampleFloats)) && sampleFloats <= p.geometry().inputSize()
                && (long) p.bandPass().batch() * p.geometry().inputSize() >= LARGE_FLOATS;
    }

    /** The staging a projection p that reads {@code tensor} needs inside a step that reads {@code input}; null when none. */
    static ProjectionStaging where(float[] input, float[] tensor, LinearStep p) {
        return p.writes() == input ? new ProjectionStaging(tensor, p.writes(), p.bandPass().kernel().outSampleFloats(), p.bandPass().batch())
                : null;
    }

    /** Runs the fused step on {@code in} with projection p inside it, through {@code staging} when there is one. */
    static void run(ProjectionStaging staging, Workers workers, ExpandDepthwise fused, float[] in, LinearStep p,
            LinearKernel.ChannelVectorPass pass, int batch) {
        if (staging == null) {
            fused.runProjected(workers, in, pass.kernel(), p.writes(), p.outSlice(), pass.epilogue(), batch);
            return;
        }
        fused.runProjected(workers, in, pass.kernel(), staging.staged, staging.slice, pass.epilogue(), batch);
        workers.parallelFor(COPY_TASKS, staging.copy);
    }
}
