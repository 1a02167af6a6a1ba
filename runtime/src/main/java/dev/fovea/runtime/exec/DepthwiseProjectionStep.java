package dev.fovea.runtime.exec;

import dev.fovea.runtime.kernels.ExpandDepthwise;
import java.util.List;

/**
 * A depthwise convolution on blocked tensors with no expand before it, and the 1x1 layer that alone
 * reads its output, as one step on {@link ExpandDepthwise}: a band of rows at a time, every channel
 * block of it, the depthwise output goes to a thread's buffer and the 1x1 layer reads it from there, so
 * that tensor never goes to memory. Both layers keep the kernels, packed weights and layouts they were
 * prepared with; the values are theirs. The conditions are a fused pair's projection's
 * ({@link ExpandDepthwiseStep#projects}).
 */
final class DepthwiseProjectionStep implements Step {
    private final LinearStep depthwise;
    private final LinearStep projection;
    private final LinearKernel.ChannelVectorPass projectionPass;
    private final ExpandDepthwise fused;
    /** Where the projection writes first when its own array is the depthwise layer's input; null when it writes there directly. */
    private final ProjectionStaging staging;
    private final int batch;

    private DepthwiseProjectionStep(LinearStep depthwise, LinearStep projection, ExpandDepthwise fused, int batch) {
        this.depthwise = depthwise;
        this.projection = projection;
        this.projectionPass = projection.bandPass();
        this.fused = fused;
        this.staging = ProjectionStaging.where(depthwise.in(), depthwise.writes(), projection);
        this.batch = batch;
    }

    /** Replaces every such pair in {@code steps}, once their layouts are settled and their kernels chosen. */
    static void fuse(List<Step> steps, float[] output) {
        for (int i = 0; i + 1 < steps.size(); i++) {
            if (steps.get(i) instanceof LinearStep d && d.depthwisePass() != null && steps.get(i + 1) instanceof LinearStep p
                    && ExpandDepthwiseStep.projects(steps, i, d.in(), d.writes(), p, output)) {
                LinearKernel.BlockedDepthwisePass pass = d.depthwisePass();
                ExpandDepthwise fused = ExpandDepthwise.ofDepthwise(pass.kernel(), pass.epilogue());
                if (fused.canProject(p.geometry(), p.bandPass().kernel())) {
                    steps.set(i, new DepthwiseProjectionStep(d, p, fused, pass.batch()));
                    steps.remove(i + 1);
                }
            }
        }
    }

    @Override
    public void run(Workers workers) {
        ProjectionStaging.run(staging, workers, fused, depthwise.in(), projection, projectionPass, batch);
    }

    @Override
    public String name() {
        return ExpandDepthwiseStep.joined(depthwise.name(), projection.name());
    }

    @Override
    public List<String> layers() {
        return List.of(depthwise.name(), projection.name());
    }

    @Override
    public String kind() {
        return "Conv2d depthwise + 1x1";
    }

    @Override
    public String kernel() {
        return "depthwise-project blocked";
    }

    @Override
    public float[][] reads() {
        float[] residual = projection.residual();
        return residual == null ? new float[][] {depthwise.in()} : new float[][] {depthwise.in(), residual};
    }

    @Override
    public float[] writes() {
        return projection.writes();
    }
}
