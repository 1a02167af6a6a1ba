package dev.fovea.runtime.exec;

import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.BlockedDepthwise;
import dev.fovea.runtime.kernels.ChannelBlocks;
import dev.fovea.runtime.kernels.ChannelVectorConv;
import dev.fovea.runtime.kernels.ConvGemm;
import dev.fovea.runtime.kernels.ConvGeometry;
import dev.fovea.runtime.kernels.Depthwise;
import dev.fovea.runtime.kernels.DirectConv;
import dev.fovea.runtime.kernels.Epilogue;
import dev.fovea.runtime.kernels.Gemv;
import dev.fovea.runtime.kernels.OutputSlice;
import dev.fovea.runtime.kernels.WinogradConv;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The kernels an inference convolution or dense layer can run on: the one table where a session picks
 * them, rows in order of preference, the first whose condition holds running the layer. The choice is
 * made once, when the session is built, after the plan has settled what folds into the layer and the
 * layouts around it; what it depends on besides the layer (the vector width, through each kernel's
 * {@code handles} check) is read there. {@code fovea bench --profile} names the row each layer took.
 */
enum LinearKernel {
    /** Dense layers: a matrix-vector product per sample. */
    GEMV("gemv", s -> s.geometry() == null, LinearKernel::gemv),
    /** Depthwise convolutions between blocked tensors. */
    BLOCKED_DEPTHWISE("depthwise blocked", s -> s.blockedIn() && s.blockedOut() && s.depthwise(), LinearKernel::blockedDepthwise),
    /**
     * 3x3 stride-1 convolutions between blocked tensors, their input in a zero frame, on maps cut into whole 4x4
     * blocks: Winograd F(4x4, 3x3).
     */
    WINOGRAD_4X4("winograd 4x4", s -> winograd(s) && WinogradConv.outputsPerBlock(s.geometry()) == 4, LinearKernel::winograd),
    /** The same on the other maps: Winograd F(2x2, 3x3). */
    WINOGRAD_2X2("winograd 2x2", LinearKernel::winograd, LinearKernel::winograd),
    /** Any other convolution with a blocked side: register tiles of pixels by output channels. */
    CHANNEL_VECTOR_BLOCKED("channel-vector blocked", s -> s.blockedIn() || s.blockedOut(), LinearKernel::channelVectorBlocked),
    /** Depthwise convolutions on NCHW tensors. */
    DEPTHWISE("depthwise", Situation::depthwise, LinearKernel::depthwise),
    /** NCHW convolutions wide enough to vectorise over output channels. */
    CHANNEL_VECTOR("channel-vector", s -> ChannelVectorConv.handles(s.geometry(), s.activation()), LinearKernel::channelVector),
    /** Small NCHW convolutions, vectorised along rows. */
    DIRECT("direct", s -> DirectConv.handles(s.geometry()), LinearKernel::direct),
    /** Everything else: im2col and a matrix product. */
    GEMM("im2col gemm", s -> true, LinearKernel::gemm);

    /**
     * What the choice looks at.
     *
     * @param geometry   the convolution's, or null for a dense layer
     * @param depthwise  a depthwise convolution that writes its own output (not a projection added into another's)
     * @param accumulate it adds its result to its output (a projection shortcut)
     * @param framedIn   its blocked input arrives inside a zero border
     * @param batch      the samples a pass runs
     */
    record Situation(ConvGeometry geometry, Activation activation, boolean depthwise, boolean accumulate, boolean blockedIn,
            boolean blockedOut, boolean framedIn, int batch) {}

    /**
     * What a kernel is built from: the layer's weights (after folding), its settled layouts and, for a dense
     * layer, its arrays (a convolution's output may still move into a slice of a concatenation, so its
     * pass takes its arrays when it runs).
     */
    record Operands(ConvGeometry geometry, int features, int units, float[] weight, float[] in, float[] out,
            ChannelBlocks.Frame inFrame, ChannelBlocks.Frame outFrame, boolean blockedIn, boolean blockedOut, int batch,
            Epilogue epilogue, Workspace workspace) {}

    /** A layer's pass on its kernel. */
    @FunctionalInterface
    interface Pass {
        void run(Workers workers, float[] in, float[] out, OutputSlice outSlice);

        /** The same layer one sample at a time, where its kernel can run one alone (all but the depthwise ones and GEMV); else null. */
        default BySample bySample() {
            return null;
        }
    }

    /**
     * A layer run on one sample of its input into an array of one sample (a map that its max pool reads as it
     * goes), {@code sampleFloats} of them in the layout its kernel writes.
     */
    record BySample(SampleRun kernel, int sampleFloats) {
        void run(Workers workers, float[] in, int sample, float[] out) {
            kernel.run(workers, in, sample, out);
        }
    }

    /** Sample {@code sample} of {@code in} through a kernel, into the first sample of {@code out}. */
    @FunctionalInterface
    interface SampleRun {
        void run(Workers workers, float[] in, int sample, float[] out);
    }

    private final String label;
    private final Predicate<Situation> applies;
    private final Function<Operands, Pass> build;

    LinearKernel(String label, Predicate<Situation> applies, Function<Operands, Pass> build) {
        this.label = label;
        this.applies = applies;
        this.build = build;
    }

    /**
     * Whether the kernel packs its own copy of the weight and keeps no reference to the array it was
     * given: all but the matrix-vector product, which reads the weight as it is.
     */
    boolean packsACopy() {
        return this != GEMV;
    }

    /** The first row that takes the layer. */
    static LinearKernel choose(Situation s) {
        for (LinearKernel k : values()) {
            if (k.applies.test(s)) {
                return k;
            }
        }
        throw new AssertionError("the last row takes every layer");
    }

    /** Packs the weights for this kernel and returns the layer's pass; reserves its workspace. */
    Pass build(Operands o) {
        return build.apply(o);
    }

    /** The name profiles show. */
    String label() {
        return label;
    }

    private static Pass gemv(Operands o) {
        Consumer<Workers> product = Gemv.prepare(o.weight(), o.in(), o.out(), o.batch(), o.features(), o.units(), o.epilogue());
        return (workers, in, out, slice) -> product.accept(workers);
    }

    // The passes capture what they run with, never the Operands: those hold the unpacked weights, which
    // would then live as long as the session beside the kernel's packed copy.

    private static Pass blockedDepthwise(Operands o) {
        BlockedDepthwise k = new BlockedDepthwise(o.geometry(), o.weight());
        return new BlockedDepthwisePass(k, o.batch(), o.epilogue(), reserve(o, k.workspaceSize()));
    }

    /** A pass on {@link BlockedDepthwise}, whose kernel a fused step may also run a band at a time ({@link DepthwiseProjectionStep}). */
    record BlockedDepthwisePass(BlockedDepthwise kernel, int batch, Epilogue epilogue, Workspace workspace) implements Pass {
        @Override
        public void run(Workers workers, float[] in, float[] out, OutputSlice slice) {
            kernel.run(workers, in, out, batch, epilogue, workspace.floats());
        }
    }

    private static boolean winograd(Situation s) {
        return s.blockedIn() && s.blockedOut() && s.framedIn() && WinogradConv.handles(s.geometry(), s.activation(), s.accumulate(), s.batch());
    }

    private static Pass winograd(Operands o) {
        WinogradConv k = new WinogradConv(o.geometry(), o.weight(), o.inFrame(), o.outFrame());
        return new WinogradPass(k, o.batch(), o.epilogue());
    }

    /** A pass on {@link WinogradConv}, whose jobs can be of one sample; its transformed input is each thread's own. */
    private record WinogradPass(WinogradConv kernel, int batch, Epilogue epilogue) implements Pass {
        @Override
        public void run(Workers workers, float[] in, float[] out, OutputSlice slice) {
            kernel.run(workers, in, out, slice, batch, epilogue);
        }

        @Override
        public BySample bySample() {
            return new BySample((workers, in, sample, out) -> kernel.runSample(workers, in, sample, out, epilogue),
                    kernel.outSampleFloats());
        }
    }

    private static Pass channelVectorBlocked(Operands o) {
        return channelVector(o, new ChannelVectorConv(o.geometry(), o.weight(), o.blockedIn(), o.blockedOut(), o.inFrame(), o.outFrame()));
    }

    private static Pass channelVector(Operands o) {
        return channelVector(o, new ChannelVectorConv(o.geometry(), o.weight()));
    }

    private static Pass channelVector(Operands o, ChannelVectorConv k) {
        return new ChannelVectorPass(k, o.batch(), o.epilogue(), reserve(o, k.workspaceSize()));
    }

    /** A pass on {@link ChannelVectorConv}, which a fused step may also feed a band at a time ({@link ExpandDepthwiseStep}). */
    record ChannelVectorPass(ChannelVectorConv kernel, int batch, Epilogue epilogue, Workspace workspace) implements Pass {
        @Override
        public void run(Workers workers, float[] in, float[] out, OutputSlice slice) {
            kernel.run(workers, in, out, slice, batch, epilogue, workspace.floats());
        }

        @Override
        public BySample bySample() {
            return new BySample((workers, in, sample, out) -> kernel.runSample(workers, in, sample, out, epilogue, workspace.floats()),
                    kernel.outSampleFloats());
        }
    }

    private static Pass depthwise(Operands o) {
        Depthwise k = new Depthwise(o.geometry(), o.weight());
        int batch = o.batch();
        Epilogue epilogue = o.epilogue();
        return (workers, in, out, slice) -> k.run(workers, in, out, batch, epilogue);
    }

    private static Pass direct(Operands o) {
        DirectConv k = new DirectConv(o.geometry(), o.weight());
        return new DirectPass(k, o.geometry(), o.batch(), o.epilogue(), reserve(o, k.workspaceSize()));
    }

    /** A pass on {@link DirectConv}, which goes sample by sample. */
    private record DirectPass(DirectConv kernel, ConvGeometry g, int batch, Epilogue epilogue, Workspace workspace) implements Pass {
        @Override
        public void run(Workers workers, float[] in, float[] out, OutputSlice slice) {
            kernel.run(workers, in, out, slice, batch, epilogue, workspace.floats());
        }

        @Override
        public BySample bySample() {
            return new BySample((workers, in, sample, out) -> kernel.runSample(workers, in, sample, out, epilogue, workspace.floats()),
                    g.outputSize());
        }
    }

    private static Pass gemm(Operands o) {
        ConvGemm k = new ConvGemm(o.geometry(), o.weight());
        return new GemmPass(k, o.geometry(), o.batch(), o.epilogue(), reserve(o, k.workspaceSize()));
    }

    /** A pass on {@link ConvGemm}, which goes sample by sample. */
    private record GemmPass(ConvGemm kernel, ConvGeometry g, int batch, Epilogue epilogue, Workspace workspace) implements Pass {
        @Override
        public void run(Workers workers, float[] in, float[] out, OutputSlice slice) {
            kernel.run(workers, in, 0, out, slice, batch, epilogue, workspace.floats());
        }

        @Override
        public BySample bySample() {
            OutputSlice one = OutputSlice.whole(g.outputSize());
            return new BySample((workers, in, sample, out) -> kernel.run(workers, in, sample * g.inputSize(), out, one, 1, epilogue,
                    workspace.floats()), g.outputSize());
        }
    }

    private static Workspace reserve(Operands o, int floats) {
        o.workspace().reserve(floats);
        return o.workspace();
    }
}
