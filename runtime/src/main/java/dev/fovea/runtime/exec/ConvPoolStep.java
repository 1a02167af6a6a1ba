package dev.fovea.runtime.exec;

import dev.fovea.runtime.kernels.ChannelBlocks;
import java.util.List;

/**
 * A network's stem: its convolution (batch norm and activation folded in) and the max pool that alone
 * reads its output, as one step, where the plan gave that output no buffer ({@link StandIns}). Where the
 * convolution's kernel can run one sample alone (the channel-vector, direct and im2col kernels; a stem
 * reads a 3-channel image, which they copy sample by sample anyway), the pool reads each sample as soon
 * as the convolution has written it, from an array of one sample: the batch's full map (ResNet's
 * 64 x 112 x 112, 49 MiB at batch 16) is never held, and the pool finds its input in the caches.
 * Otherwise (Winograd's and the depthwise kernels) the two run one after the other, the map in an array
 * of its own.
 */
final class ConvPoolStep implements BlockableStep {
    private final LinearStep conv;
    private final PoolStep pool;
    private final int batch;
    /** The convolution's pass on one sample, when the two go sample by sample; else null. */
    private LinearKernel.BySample bySample;
    /** One sample of the convolution's output, when they go sample by sample. */
    private float[] sample;

    private ConvPoolStep(LinearStep conv, PoolStep pool, int batch) {
        this.conv = conv;
        this.pool = pool;
        this.batch = batch;
    }

    /** Replaces each convolution that writes a stand-in, and the max pool after it that reads it, by one step. */
    static void fuse(List<Step> steps, int batch) {
        for (int i = 0; i + 1 < steps.size(); i++) {
            if (steps.get(i) instanceof LinearStep c && steps.get(i + 1) instanceof PoolStep p && StandIns.is(c.writes()) && p.isMax()
                    && p.in() == c.writes() && c.geometry() != null && c.residual() == null && !c.accumulates()) {
                steps.set(i, new ConvPoolStep(c, p, batch));
                steps.remove(i + 1);
            }
        }
    }

    LinearStep conv() {
        return conv;
    }

    @Override
    public float[] in() {
        return conv.in();
    }

    @Override
    public boolean readsBlocked() {
        return conv.readsBlocked();
    }

    /** Blocked through and through: the pool keeps its input's layout. */
    @Override
    public boolean writesBlocked() {
        return conv.writesBlocked() && pool.writesBlocked();
    }

    /** As its convolution: the pool keeps its input's layout. */
    @Override
    public boolean keepsLayout() {
        return conv.keepsLayout();
    }

    @Override
    public boolean canWriteFramed() {
        return writesBlocked() && pool.canWriteFramed();
    }

    @Override
    public int framedFloats(ChannelBlocks.Frame f) {
        return pool.framedFloats(f);
    }

    @Override
    public void frameOutput(ChannelBlocks.Frame f, float[] framed, boolean clearsBorder) {
        pool.frameOutput(f, framed, clearsBorder);
    }

    /**
     * The pool keeps its input's layout, so the map is laid out as the output. Every convolution kernel's pass
     * takes its arrays when it runs, so the map's array can follow the kernel's choice.
     */
    @Override
    public void prepare(boolean blockedIn, boolean blockedOut) {
        conv.prepare(blockedIn, blockedOut);
        bySample = conv.bySample();
        if (bySample != null) {
            sample = new float[bySample.sampleFloats()];
            pool.prepareBySample(sample, blockedOut);
            return;
        }
        float[] map = new float[conv.wholeOutputFloats()];
        pool.rebindIn(map);
        conv.rebind(conv.writes(), map);
        pool.prepare(blockedOut, blockedOut);
    }

    @Override
    public void run(Workers workers) {
        if (bySample == null) {
            conv.run(workers);
            pool.run(workers);
            return;
        }
        pool.clearBorder(workers);
        for (int n = 0; n < batch; n++) {
            bySample.run(workers, conv.in(), n, sample);
            pool.runSample(workers, n);
        }
    }

    @Override
    public float[][] reads() {
        return new float[][] {conv.in()};
    }

    @Override
    public float[] writes() {
        return pool.writes();
    }

    @Override
    public String name() {
        return ExpandDepthwiseStep.joined(conv.name(), pool.name());
    }

    @Override
    public List<String> layers() {
        return List.of(conv.name(), pool.name());
    }

    @Override
    public String kind() {
        return conv.kind() + " + " + pool.kind();
    }

    @Override
    public String kernel() {
        return bySample != null ? conv.kernel() + ", sample by sample" : conv.kernel();
    }
}
