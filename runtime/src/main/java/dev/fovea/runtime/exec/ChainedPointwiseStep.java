package dev.fovea.runtime.exec;

import dev.fovea.runtime.kernels.ChannelVectorConv;
import dev.fovea.runtime.kernels.Epilogue;
import dev.fovea.runtime.kernels.OutputSlice;
import java.util.Arrays;
import java.util.List;

/**
 * A 1x1 layer (or a bottleneck's last 1x1 layer with its projection, {@link ProjectedSumStep}) and the 1x1
 * layer that reads its output, as one step on {@link ChannelVectorConv#runChained}: each task runs the first
 * over a group of pixels, every output channel, and then the second over the same pixels, which it finds in
 * its own L2 instead of in memory. A bottleneck's last layer and the next bottleneck's first, on ResNet's
 * 56x56 and 28x28 maps at batch 16: there the tensor between them is 13 to 51 MB, and the second layer
 * waited on its input. The first layer's output is still written whole (the next block's sum reads it).
 */
final class ChainedPointwiseStep implements Step {
    /**
     * Floats of the first layer's output (8 MiB for the batch) from which the pair runs as one step: smaller
     * tensors stay in the caches between the layers anyway. (ResNet-50's 14x14 stage, 13 MB at batch 16, runs
     * chained and gains nothing by it, nor loses; its 56x56 and 28x28 stages gain. At batch 1, with every pair
     * chained, ResNet-50 took 1.10 times as long.)
     */
    private static final long LARGE_FLOATS = 2L << 20;

    private final Step first;
    /** The first step's 1x1 layer: the step itself, or a projected sum's main layer. */
    private final LinearStep main;
    /** A projected sum's projection, whose reduction joins the main layer's tiles; null for a plain 1x1 layer. */
    private final LinearStep projection;
    private final ChannelVectorConv mainKernel;
    private final Epilogue mainEpilogue;
    private final int batch;
    private final LinearStep second;
    private final LinearKernel.ChannelVectorPass secondPass;

    private ChainedPointwiseStep(Step first, LinearStep second) {
        this.first = first;
        if (first instanceof ProjectedSumStep p) {
            this.main = p.main();
            this.projection = p.projection();
            this.mainEpilogue = p.epilogue();
        } else {
            this.main = (LinearStep) first;
            this.projection = null;
            this.mainEpilogue = main.channelVectorPass().epilogue();
        }
        this.mainKernel = main.channelVectorPass().kernel();
        this.batch = main.channelVectorPass().batch();
        this.second = second;
        this.secondPass = second.channelVectorPass();
    }

    /** Replaces every such pair in {@code steps}, once their layouts are settled, their kernels chosen and projections joined. */
    static void fuse(List<Step> steps) {
        for (int i = 0; i + 1 < steps.size(); i++) {
            if (steps.get(i + 1) instanceof LinearStep b && chains(steps.get(i), b)) {
                steps.set(i, new ChainedPointwiseStep(steps.get(i), b));
                steps.remove(i + 1);
            }
        }
    }

    /**
     * Whether b reads the whole output of a (a 1x1 layer or a projected sum) as its input, both on channel-vector
     * tiles over the same pixels, the tensor between them large, and neither adds onto its output. b must not
     * write what a reads: a task writes b's pixels while other tasks still read a's inputs elsewhere in those arrays.
     */
    private static boolean chains(Step a, LinearStep b) {
        LinearStep m = a instanceof ProjectedSumStep p ? p.main() : a instanceof LinearStep l ? l : null;
        if (m == null || m.channelVectorPass() == null || b.channelVectorPass() == null) {
            return false;
        }
        LinearKernel.ChannelVectorPass p = m.channelVectorPass();
        LinearKernel.ChannelVectorPass q = b.channelVectorPass();
        return p.batch() == q.batch() && b.in() == a.writes() && !m.accumulates() && !b.accumulates()
                && m.outSlice().equals(OutputSlice.whole(p.kernel().outSampleFloats()))
                && Arrays.stream(a.reads()).noneMatch(read -> read == b.writes())
                && (long) p.batch() * p.kernel().outSampleFloats() >= LARGE_FLOATS && p.kernel().canChain(q.kernel());
    }

    @Override
    public void run(Workers workers) {
        second.zeroFrame(workers); // the first's output is unframed: the second reads it as flat blocks
        if (projection == null) {
            mainKernel.runChained(workers, main.in(), main.writes(), mainEpilogue, secondPass.kernel(), second.writes(), second.outSlice(),
                    secondPass.epilogue(), batch);
        } else {
            mainKernel.runJoinedChained(workers, main.in(), projection.channelVectorPass().kernel(), projection.in(), first.writes(),
                    mainEpilogue, secondPass.kernel(), second.writes(), second.outSlice(), secondPass.epilogue(), batch);
        }
    }

    @Override
    public String name() {
        return ExpandDepthwiseStep.joined(first.name(), second.name());
    }

    @Override
    public List<String> layers() {
        List<String> layers = new java.util.ArrayList<>(first.layers());
        layers.add(second.name());
        return layers;
    }

    @Override
    public String kind() {
        return "Conv2d 1x1 + 1x1";
    }

    @Override
    public String kernel() {
        return "channel-vector blocked";
    }

    /** The first step's reads, and the second's but for its input, which the first writes. */
    @Override
    public float[][] reads() {
        return second.residual() == null ? first.reads()
                : java.util.stream.Stream.concat(Arrays.stream(first.reads()), java.util.stream.Stream.of(second.residual())).toArray(float[][]::new);
    }

    /** The second layer's output; the first's, which this step writes too, is the second's input. */
    @Override
    public float[] writes() {
        return second.writes();
    }
}
