package dev.fovea.runtime.exec;

import dev.fovea.runtime.kernels.ChannelVectorConv;
import dev.fovea.runtime.kernels.Epilogue;
import java.util.List;

/**
 * A bottleneck's last 1x1 layer and the projection shortcut that adds onto its output, as one step on
 * {@link ChannelVectorConv#runJoined}: each tile sums the layer's reduction over its input and then the
 * projection's over the block's input, and goes through one epilogue (the two biases, the projection's
 * activation). The output is written once, where the projection read it back and wrote it again.
 */
final class ProjectedSumStep implements Step {
    private final LinearStep main;
    private final LinearStep projection;
    private final LinearKernel.ChannelVectorPass mainPass;
    private final ChannelVectorConv projectionKernel;
    private final Epilogue epilogue;

    private ProjectedSumStep(LinearStep main, LinearStep projection) {
        this.main = main;
        this.projection = projection;
        this.mainPass = main.channelVectorPass();
        this.projectionKernel = projection.channelVectorPass().kernel();
        Epilogue first = mainPass.epilogue();
        Epilogue second = projection.channelVectorPass().epilogue();
        this.epilogue = new Epilogue(sum(first.bias(), second.bias()), null, second.activation(), second.slope(), false);
    }

    /** Replaces every such pair in {@code steps}, once their layouts are settled and their kernels chosen. */
    static void fuse(List<Step> steps) {
        for (int i = 0; i + 1 < steps.size(); i++) {
            if (steps.get(i) instanceof LinearStep m && steps.get(i + 1) instanceof LinearStep p && joins(m, p)) {
                steps.set(i, new ProjectedSumStep(m, p));
                steps.remove(i + 1);
            }
        }
    }

    /**
     * Whether p adds its sums onto m's output, which nothing else reads, and both run on channel-vector tiles
     * that can share their sums: neither writes inside a frame, and m adds nothing and applies nothing itself.
     */
    private static boolean joins(LinearStep m, LinearStep p) {
        LinearKernel.ChannelVectorPass a = m.channelVectorPass();
        LinearKernel.ChannelVectorPass b = p.channelVectorPass();
        return a != null && b != null && p.accumulates() && p.writes() == m.writes() && p.residual() == null && m.canTakeResidual()
                && !m.writesFramed() && !p.writesFramed() && m.outSlice().equals(p.outSlice()) && a.batch() == b.batch()
                && a.kernel().canJoin(b.kernel());
    }

    private static float[] sum(float[] a, float[] b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        float[] s = new float[Math.max(a.length, b.length)];
        for (int i = 0; i < s.length; i++) {
            s[i] = (i < a.length ? a[i] : 0) + (i < b.length ? b[i] : 0);
        }
        return s;
    }

    LinearStep main() {
        return main;
    }

    LinearStep projection() {
        return projection;
    }

    /** The epilogue of the joined sums: both biases, the projection's activation. */
    Epilogue epilogue() {
        return epilogue;
    }

    @Override
    public void run(Workers workers) {
        mainPass.kernel().runJoined(workers, main.in(), projectionKernel, projection.in(), projection.writes(), projection.outSlice(),
                mainPass.batch(), epilogue, mainPass.workspace().floats());
    }

    @Override
    public String name() {
        return ExpandDepthwiseStep.joined(main.name(), projection.name());
    }

    @Override
    public List<String> layers() {
        return List.of(main.name(), projection.name());
    }

    @Override
    public String kind() {
        return "Conv2d 1x1 + projection";
    }

    @Override
    public String kernel() {
        return "channel-vector blocked";
    }

    @Override
    public float[][] reads() {
        return new float[][] {main.in(), projection.in()};
    }

    @Override
    public float[] writes() {
        return projection.writes();
    }
}
