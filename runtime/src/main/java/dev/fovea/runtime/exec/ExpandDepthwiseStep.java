package dev.fovea.runtime.exec;

import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.ConvGeometry;
import dev.fovea.runtime.kernels.ExpandDepthwise;
import java.util.List;

/**
 * A 1x1 convolution and the depthwise convolution that alone reads its output (an inverted residual
 * block's expand and depthwise layers), as one step: on {@link ExpandDepthwise} when the tensor after
 * them is blocked (the one before may be either), so that the expanded tensor never leaves a thread's
 * cache; otherwise the two layers one after the other, as they would run unfused. The 1x1 layer after a
 * fused pair joins it once its kernel is chosen, where it can ({@link #project}).
 */
final class ExpandDepthwiseStep implements BlockableStep {
    private final LinearStep expand;
    private final LinearStep depthwise;
    private final int batch;
    /** The fused kernel, once {@link #prepare}d for blocked tensors; null while the layers run apart. */
    private ExpandDepthwise fused;
    /** The 1x1 layer after the pair that runs inside it, a band at a time ({@link #project}); null when it runs as its own step. */
    private LinearStep projection;
    private LinearKernel.ChannelVectorPass projectionPass;
    /** Where the projection writes first when its own array is this step's input; null when it writes there directly. */
    private ProjectionStaging staging;

    private ExpandDepthwiseStep(LinearStep expand, LinearStep depthwise, int batch) {
        this.expand = expand;
        this.depthwise = depthwise;
        this.batch = batch;
    }

    /**
     * Replaces every such pair in {@code steps} whose expanded tensor is large or whose expand reads few
     * channels: a 1x1 convolution, then a
     * depthwise convolution that reads its output, which no other step reads (nor is it the network's {@code output}) before it is
     * overwritten, and which writes somewhere other than the 1x1 layer's input (a band at a time, that
     * input is still being read).
     */
    static void fuse(List<Step> steps, float[] output, int batch) {
        for (int i = 0; i + 1 < steps.size(); i++) {
            if (steps.get(i) instanceof LinearStep e && steps.get(i + 1) instanceof LinearStep d && fusable(e, d, batch)
                    && e.writes() != output && d.writes() != e.in() && readOnlyBy(steps, i + 1, e.writes())) {
                steps.set(i, new ExpandDepthwiseStep(e, d, batch));
                steps.remove(i + 1);
            }
        }
    }

    /**
     * Takes into every fused pair in {@code steps} the 1x1 layer right after it that alone reads its depthwise
     * output (an inverted residual block's projection), once the layouts are settled and the kernels chosen:
     * where that layer's kernel can take its input a band at a time ({@link ExpandDepthwise#canProject}),
     * the depthwise tensor stays in a thread's cache too.
     */
    static void project(List<Step> steps, float[] output) {
        for (int i = 0; i + 1 < steps.size(); i++) {
            if (steps.get(i) instanceof ExpandDepthwiseStep pair && pair.fused != null && steps.get(i + 1) instanceof LinearStep p
                    && projects(steps, i, pair.in(), pair.writes(), p, output) && pair.fused.canProject(p.geometry(), p.bandPass().kernel())) {
                pair.projection = p;
                pair.projectionPass = p.bandPass();
                pair.staging = ProjectionStaging.where(pair.in(), pair.depthwise.writes(), p);
                steps.remove(i + 1);
            }
        }
    }

    /**
     * Whether {@code p}, the step after step i (which reads {@code input} and writes {@code tensor}), may run
     * inside it as its projection: a 1x1 layer whose kernel reads bands, of few enough weights, that alone
     * reads the tensor. Where it writes over step i's input, whose rows later bands still read, it writes
     * into the tensor's array first ({@link ProjectionStaging}), which must then take it.
     */
    static boolean projects(List<Step> steps, int i, float[] input, float[] tensor, LinearStep p, float[] output) {
        return p.in() == tensor && tensor != output && p.geometry() != null && p.bandPass() != null
                && (p.writes() != input || ProjectionStaging.fits(p))
                && (long) p.geometry().ci() * p.geometry().co() <= MAX_PROJECTION_WEIGHTS && readOnlyBy(steps, i + 1, tensor);
    }

    /**
     * Weights (256 KiB of floats) up to which a projection runs inside the step before it. Each band reads
     * all of them, from L2 when they fit beside the band buffers; MobileNet v2's last projections (960 to
     * 160 channels, 960 to 320) were slower inside, where the separate layer reads each weight slice once
     * for many samples' pixels.
     */
    private static final long MAX_PROJECTION_WEIGHTS = 64 * 1024;

    /**
     * Floats of the batch's expanded tensor (8 MiB) from which every pair is fused, however many channels the
     * expand reads: a tensor that large goes to memory between the two layers.
     */
    private static final long LARGE_FLOATS = 2L << 20;
    /**
     * Input channels of an expand fused whatever the tensor's size (MobileNet v2's have 16 to 160). A small
     * tensor stays in the caches between the layers, but each core's own: on a guest whose two cores sit on
     * different chiplets of an AMD EPYC (a cache line takes 200 ns and more between them), the part of it
     * the other thread reads crosses, and MobileNet v2 at batch 1 ran 10 to 15% faster with these pairs fused.
     * Over many more channels (MobileNet v1's 512) the fused 8 x 48 tile is slower than the unfused 14 x 32.
     */
    private static final int FEW_INPUT_CHANNELS = 160;

    private static boolean fusable(LinearStep e, LinearStep d, int batch) {
        return e.geometry() != null && d.geometry() != null && !e.accumulates() && !d.accumulates() && e.residual() == null
                && d.residual() == null && d.in() == e.writes() && pairs(e.geometry(), e.activation(), d.geometry(), d.activation(), batch);
    }

    /**
     * Whether a 1x1 layer of geometry e and the depthwise layer d that reads its output fuse at this batch, with
     * these activations folded in: where the fused kernel takes them, and the expanded tensor is large or the
     * expand reads few channels.
     */
    static boolean pairs(ConvGeometry e, Activation ea, ConvGeometry d, Activation da, int batch) {
        return ExpandDepthwise.handles(e, ea, d, da) && ((long) batch * e.outputSize() >= LARGE_FLOATS || e.ci() <= FEW_INPUT_CHANNELS);
    }

    /** Whether no step after {@code reader} reads {@code buffer} before one writes it again. */
    static boolean readOnlyBy(List<Step> steps, int reader, float[] buffer) {
        for (int j = reader + 1; j < steps.size(); j++) {
            Step s = steps.get(j);
            for (float[] read : s.reads()) {
                if (read == buffer) {
                    return false;
                }
            }
            if (s.writes() == buffer) {
                return true;
            }
        }
        return true;
    }

    /** The 1x1 layer that runs inside this step, or null. */
    LinearStep projection() {
        return projection;
    }

    @Override
    public float[] in() {
        return expand.in();
    }

    @Override
    public boolean readsBlocked() {
        return expand.readsBlocked();
    }

    @Override
    public boolean writesBlocked() {
        return depthwise.writesBlocked();
    }

    @Override
    public boolean keepsLayout() {
        return false;
    }

    /** Fused when the output is blocked; else each layer on its own kernel, the expanded tensor in the depthwise layer's layout. */
    @Override
    public void prepare(boolean blockedIn, boolean blockedOut) {
        if (blockedOut) {
            LinearStep.Folded e = expand.takeFolded();
            LinearStep.Folded d = depthwise.takeFolded();
            fused = new ExpandDepthwise(expand.geometry(), e.weight(), e.epilogue(), depthwise.geometry(), d.weight(), d.epilogue(), blockedIn);
            return;
        }
        if (StandIns.is(expand.writes())) {
            float[] expanded = new float[expand.wholeOutputFloats()];
            depthwise.rebind(expand.writes(), expanded);
            expand.rebind(expand.writes(), expanded);
        }
        expand.prepare(blockedIn, blockedOut);
        depthwise.prepare(blockedOut, blockedOut);
    }

    @Override
    public void run(Workers workers) {
        if (projection != null) {
            ProjectionStaging.run(staging, workers, fused, expand.in(), projection, projectionPass, batch);
            return;
        }
        if (fused != null) {
            fused.run(workers, expand.in(), depthwise.writes(), batch);
            return;
        }
        expand.run(workers);
        depthwise.run(workers);
    }

    @Override
    public float[][] reads() {
        if (projection != null && projection.residual() != null) {
            return new float[][] {expand.in(), projection.residual()};
        }
        return new float[][] {expand.in()};
    }

    @Override
    public float[] writes() {
        return projection != null ? projection.writes() : depthwise.writes();
    }

    /** "stage2.expand+depthwise": the two layers' names, their shared prefix once. */
    @Override
    public String name() {
        String name = joined(expand.name(), depthwise.name());
        return projection == null ? name : joined(name, projection.name());
    }

    /** "a+b", with the prefix b shares with a up to a's last dot once. */
    static String joined(String a, String b) {
        int dot = a.lastIndexOf('.');
        return dot > 0 && b.startsWith(a.substring(0, dot + 1)) ? a + "+" + b.substring(dot + 1) : a + "+" + b;
    }

    @Override
    public List<String> layers() {
        return projection == null ? List.of(expand.name(), depthwise.name()) : List.of(expand.name(), depthwise.name(), projection.name());
    }

    @Override
    public String kind() {
        return projection == null ? "Conv2d 1x1 + depthwise" : "Conv2d 1x1 + depthwise + 1x1";
    }

    @Override
    public String kernel() {
        if (projection != null) {
            return "expand-depthwise-project blocked";
        }
        return fused != null ? "expand-depthwise blocked" : expand.kernel() + ", " + depthwise.kernel();
    }
}
