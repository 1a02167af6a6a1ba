package dev.fovea.runtime.exec;

import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.BlockedDepthwise;
import dev.fovea.runtime.kernels.ChannelBlocks;
import dev.fovea.runtime.kernels.ChannelVectorConv;
import dev.fovea.runtime.kernels.ConvGeometry;
import dev.fovea.runtime.kernels.Epilogue;
import dev.fovea.runtime.kernels.OutputSlice;
import dev.fovea.runtime.kernels.WinogradConv;
import java.util.ArrayList;
import java.util.List;

/**
 * A convolution or dense layer of the fast path, still open while the plan is built: the layers after
 * it may fold into its weights (batch norm, layer scale) or its epilogue (activation, residual add).
 * {@link #prepare} chooses the kernel and packs the weights for it.
 */
final class LinearStep implements BlockableStep {
    private final String name;
    private final ConvGeometry geometry; // null for a dense layer
    private final int features;
    private final int units;
    /**
     * The model's weight, not copied: folding must not change the model's parameters, so the factors it
     * folds in wait in {@link #scales} and are applied to a temporary copy when the kernel packs it; then
     * the step lets go of both, and the session holds each weight once, packed. The array is read only
     * then ({@link Weight#values}), and when it is the step's alone ({@link Weight#own}: parameters handed
     * over to the session, no other step reading it) the factors go into it in place, with no copy.
     */
    private Weight weight;

    /** A layer's weight as its kernel will read it when it packs: the values, and whether the array is the step's to change. */
    interface Weight {
        float[] values();

        boolean own();

        /** Hands back an array of {@link #own} values that the step's kernel has packed and no longer reads. */
        default void packed(float[] values) {
        }

        /** An array made for the step alone. */
        static Weight own(float[] values) {
            return new Weight() {
                @Override
                public float[] values() {
                    return values;
                }

                @Override
                public boolean own() {
                    return true;
                }
            };
        }
    }
    private List<float[]> scales = new ArrayList<>();
    private float[] bias;
    private float[] in;
    float[] out;
    /** Set when the input arrives, or the output leaves, inside a zero border (see {@link ChannelLayouts}). */
    private ChannelBlocks.Frame inFrame;
    private ChannelBlocks.Frame outFrame;
    /** Its framed output's border, when the array holds other frames between passes and it zeroes the border first; else null. */
    private FrameBorder outBorder;
    /** The frame its blocked residual lies in, when the convolution that also reads that tensor wants one; else null. */
    private ChannelBlocks.Frame residualFrame;
    /** Where in {@link #out} its samples go: all of it, or its channels of a concatenation ({@link #writeInto}). */
    private OutputSlice outSlice;
    private final int batch;
    private float[] residual;
    private Activation activation = Activation.NONE;
    private float slope;
    private final boolean accumulate;
    /** The row of {@link LinearKernel}'s table it runs on, and its pass, once {@link #prepare}d. */
    private LinearKernel kernel;
    private LinearKernel.Pass pass;
    private final Workspace workspace;
    /** Whether {@link #prepare} settled on a blocked output whose last block is padded with zeros. */
    private boolean paddedOutput;

    /** A convolution. */
    LinearStep(String name, ConvGeometry g, Weight weight, float[] bias, float[] in, float[] out, int batch, boolean accumulate,
            Workspace workspace) {
        this.name = name;
        this.workspace = workspace;
        this.geometry = g;
        this.features = g.k();
        this.units = g.co();
        this.weight = weight;
        this.bias = bias == null ? null : bias.clone();
        this.in = in;
        this.out = out;
        this.batch = batch;
        this.accumulate = accumulate;
        this.outSlice = OutputSlice.whole(g.outputSize());
    }

    /** A dense layer. */
    LinearStep(String name, int features, int units, Weight weight, float[] bias, float[] in, float[] out, int batch) {
        this.name = name;
        this.workspace = null;
        this.geometry = null;
        this.features = features;
        this.units = units;
        this.weight = weight;
        this.bias = bias == null ? null : bias.clone();
        this.in = in;
        this.out = out;
        this.batch = batch;
        this.accumulate = false;
    }

    /** Whether a per-channel scale and shift can still fold in: nothing non-linear or additive after the sum yet. */
    boolean canFold() {
        return activation == Activation.NONE && residual == null && !accumulate;
    }

    /** Folds y = x * scale + shift (per output channel) into the weights and bias; shift may be null. */
    void fold(float[] scale, float[] shift) {
        if (bias == null) {
            bias = new float[units];
        }
        for (int o = 0; o < units; o++) {
            bias[o] = bias[o] * scale[o] + (shift == null ? 0 : shift[o]);
        }
        scales.add(scale.clone());
    }

    /** The weight with every folded factor applied, in the order they came: a copy when there are any, unless the array is the step's own. */
    private float[] foldedWeight(float[] weight, boolean own) {
        if (scales.isEmpty()) {
            return weight;
        }
        float[] folded = own ? weight : weight.clone();
        int row = folded.length / units;
        for (float[] scale : scales) {
            for (int o = 0; o < units; o++) {
                for (int j = 0; j < row; j++) {
                    folded[o * row + j] *= scale[o];
                }
            }
        }
        return folded;
    }

    /** Its geometry; null for a dense layer. */
    ConvGeometry geometry() {
        return geometry;
    }

    Activation activation() {
        return activation;
    }

    /** Its weight with every folded factor applied, and its epilogue. */
    record Folded(float[] weight, Epilogue epilogue) {}

    /**
     * What a kernel that runs this layer fused with another packs, in place of {@link #prepare}: the step
     * lets go of its weight, as {@link #prepare} does once its kernel has packed it.
     */
    Folded takeFolded() {
        float[] values = weight.values();
        Folded f = new Folded(foldedWeight(values, weight.own()), new Epilogue(bias, residual, activation, slope, accumulate));
        weight = null;
        scales = null;
        return f;
    }

    boolean canTakeActivation(Activation a) {
        return activation == Activation.NONE && Epilogue.fusable(a);
    }

    void activation(Activation a, float s) {
        this.activation = a;
        this.slope = s;
    }

    boolean canTakeResidual() {
        return activation == Activation.NONE && residual == null && !accumulate;
    }

    void residual(float[] r) {
        this.residual = r;
    }

    /**
     * Whether its kernel can add a residual that lies in its own output array: every kernel but the depthwise
     * ones reads a position's residual only as it writes that position's sum; those write their sums first and
     * add the residual after.
     */
    boolean addsInPlace() {
        return geometry != null && !geometry.isDepthwise();
    }

    @Override
    public boolean readsBlocked() {
        return geometry != null && takesBlocks(geometry.ci(), ChannelVectorConv.readsPadded(geometry));
    }

    /** A padded output needs room for its blocks' zeros in the buffer it is written to (a stand-in's array is made to fit). */
    @Override
    public boolean writesBlocked() {
        if (geometry == null) {
            return false;
        }
        boolean room = StandIns.is(out) || (long) batch * ChannelBlocks.sampleFloats(geometry.co(), geometry.positions()) <= out.length;
        return takesBlocks(geometry.co(), room);
    }

    /** Floats of its whole output in either layout, for an array of its own. */
    int wholeOutputFloats() {
        if (geometry == null) {
            return Math.multiplyExact(batch, units);
        }
        return Math.multiplyExact(batch, Math.max(geometry.outputSize(), ChannelBlocks.sampleFloats(geometry.co(), geometry.positions())));
    }

    /** Reads and writes {@code to} wherever it read or wrote {@code from}: a stand-in given its array, before {@link #prepare}. */
    void rebind(float[] from, float[] to) {
        if (in == from) {
            in = to;
        }
        if (out == from) {
            out = to;
        }
        if (residual == from) {
            residual = to;
        }
    }

    /**
     * Whether a convolution's blocked kernel applies, with {@code channels} on the blocked side: channels in whole
     * blocks, or a count that {@link ChannelBlocks#padsWell pads well} where {@code padded} says this side can be padded.
     */
    private boolean takesBlocks(int channels, boolean padded) {
        if (isDepthwise()) {
            return BlockedDepthwise.handles(geometry, activation);
        }
        return ChannelVectorConv.handlesBlocked(geometry, activation) && (ChannelBlocks.fits(channels) || padded && ChannelBlocks.padsWell(channels));
    }

    /** Whether it writes blocks padded with zeros after its last channel ({@link ChannelBlocks#padded}), once prepared. */
    boolean writesPadded() {
        return paddedOutput;
    }

    /** Whether it can write its blocked output inside a zero border: a convolution that adds nothing onto its output, in whole blocks. */
    @Override
    public boolean canWriteFramed() {
        return !isDepthwise() && !accumulate && writesBlocked() && ChannelBlocks.fits(geometry.co());
    }

    /**
     * Whether it can read its residual inside a zero border: a convolution whose output is blocked runs a
     * kernel that takes one (the channel-vector or Winograd kernel), and nothing is added onto its output.
     */
    boolean canReadFramedResidual() {
        return geometry != null && !isDepthwise() && !accumulate && residual != null;
    }

    /** Whether it adds its blocked result onto an output it could find inside a zero border (a projection shortcut). */
    boolean canAccumulateFramed() {
        return geometry != null && !isDepthwise() && accumulate && residual == null && writesBlocked() && ChannelBlocks.fits(geometry.co());
    }

    /** Adds its result onto {@code framed}, laid out in frame f, where the convolution before it wrote its output. */
    void accumulateFramed(float[] framed, ChannelBlocks.Frame f) {
        outFrame = f;
        out = framed;
        outSlice = OutputSlice.whole(f.floats(geometry.co()));
    }

    /** Reads its residual from {@code framed}, laid out in frame f (the tensor another convolution reads framed). */
    void frameResidual(float[] framed, ChannelBlocks.Frame f) {
        residualFrame = f;
        residual = framed;
    }

    /**
     * Whether it can write its output into a slice of a larger tensor: a convolution on a kernel that
     * takes an {@link OutputSlice} (not depthwise), nothing read from its output, no frame.
     */
    boolean canWriteSlice() {
        return geometry != null && !isDepthwise() && !accumulate && outFrame == null;
    }

    /** Writes its output into {@code slice} of {@code joined} instead of an array of its own. */
    void writeInto(float[] joined, OutputSlice slice) {
        if (!canWriteSlice()) {
            throw new IllegalStateException(name + " cannot write into a slice");
        }
        out = joined;
        outSlice = slice;
    }

    /**
     * The frame its blocked input should arrive in, or null: Winograd's when it will run on that kernel
     * (its output blocked too), which needs it; otherwise the direct kernel's, to spare a padded copy.
     */
    ChannelBlocks.Frame wantedFrame(boolean blockedOut) {
        if (isDepthwise() || !readsBlocked()) {
            return null;
        }
        if (blockedOut && WinogradConv.handles(geometry, activation, accumulate, batch)) {
            return WinogradConv.inputFrame(geometry);
        }
        return ChannelVectorConv.readsFramed(geometry) ? ChannelBlocks.Frame.around(geometry) : null;
    }

    @Override
    public int framedFloats(ChannelBlocks.Frame f) {
        return Math.multiplyExact(batch, f.floats(geometry.co()));
    }

    @Override
    public void frameOutput(ChannelBlocks.Frame f, float[] framed, boolean clearsBorder) {
        outFrame = f;
        out = framed;
        outSlice = OutputSlice.whole(f.floats(geometry.co()));
        outBorder = clearsBorder ? new FrameBorder(f, framed, batch, geometry.co(), geometry.oh(), geometry.ow()) : null;
    }

    /** Reads its input from {@code framed}, laid out in frame f. */
    void frameInput(float[] framed, ChannelBlocks.Frame f) {
        inFrame = f;
        in = framed;
    }

    /** A depthwise kernel reads and writes blocks or neither. */
    @Override
    public boolean keepsLayout() {
        return isDepthwise();
    }

    private boolean isDepthwise() {
        return geometry != null && geometry.isDepthwise() && !accumulate;
    }

    @Override
    public float[] in() {
        return in;
    }

    @Override
    public float[] residual() {
        return residual;
    }

    @Override
    public boolean accumulates() {
        return accumulate;
    }

    /**
     * Chooses the kernel ({@link LinearKernel}), once nothing more can fold in and the layouts of its input
     * and output are settled ({@link ChannelLayouts}), and packs the weights for it.
     */
    @Override
    public void prepare(boolean blockedIn, boolean blockedOut) {
        Epilogue epilogue = new Epilogue(bias, residual, activation, slope, accumulate, residualFrame);
        paddedOutput = blockedOut && !ChannelBlocks.fits(geometry.co());
        if (paddedOutput) {
            outSlice = OutputSlice.whole(ChannelBlocks.sampleFloats(geometry.co(), geometry.positions())); // its blocks' zeros too
        }
        kernel = LinearKernel.choose(new LinearKernel.Situation(geometry, activation, isDepthwise(), accumulate, blockedIn, blockedOut,
                inFrame != null, batch));
        float[] values = weight.values();
        boolean own = weight.own();
        float[] folded = foldedWeight(values, own);
        if (kernel == LinearKernel.GEMV && folded == values && !own) {
            folded = values.clone(); // the product reads the weight as it is: the session's own copy
        }
        pass = kernel.build(new LinearKernel.Operands(geometry, features, units, folded, in, out, inFrame, outFrame, blockedIn, blockedOut,
                batch, epilogue, workspace));
        if (own && kernel.packsACopy()) {
            weight.packed(values);
        }
        weight = null;
        scales = null;
    }

    @Override
    public void run(Workers workers) {
        zeroFrame(workers);
        pass.run(workers, in, out, outSlice);
    }

    /** Zeroes the border of the frame it writes inside, if it writes inside one: a fused step that runs its kernel calls this first. */
    void zeroFrame(Workers workers) {
        if (outBorder != null) {
            outBorder.zero(workers);
        }
    }

    /**
     * Its pass, once prepared, when a fused step before it can feed its kernel the input a band of rows at a
     * time: a channel-vector kernel that reads bands, an output with no border to zero; else null.
     */
    LinearKernel.ChannelVectorPass bandPass() {
        return pass instanceof LinearKernel.ChannelVectorPass p && p.kernel().readsBands() && outBorder == null && !accumulate ? p : null;
    }

    /**
     * Its pass one sample at a time, once prepared, where its kernel goes sample by sample anyway and nothing
     * but its own sums goes into its output (no residual, no frame, no padded blocks); else null.
     */
    LinearKernel.BySample bySample() {
        return residual == null && !accumulate && outFrame == null && !paddedOutput ? pass.bySample() : null;
    }

    /** Its pass, once prepared, when it runs on {@link dev.fovea.runtime.kernels.ChannelVectorConv}; else null. */
    LinearKernel.ChannelVectorPass channelVectorPass() {
        return pass instanceof LinearKernel.ChannelVectorPass p ? p : null;
    }

    /** Its pass, once prepared, when it is a depthwise layer on blocked tensors that adds nothing to its sums; else null. */
    LinearKernel.BlockedDepthwisePass depthwisePass() {
        return pass instanceof LinearKernel.BlockedDepthwisePass p && p.epilogue().residual() == null && outBorder == null && !accumulate
                ? p : null;
    }

    /** Whether it writes its blocked output inside a zero border. */
    boolean writesFramed() {
        return outFrame != null;
    }

    /** Where in {@link #writes} its samples go. */
    OutputSlice outSlice() {
        return outSlice;
    }

    @Override
    public float[][] reads() {
        if (accumulate) {
            return residual == null ? new float[][] {in, out} : new float[][] {in, residual, out};
        }
        return residual == null ? new float[][] {in} : new float[][] {in, residual};
    }

    @Override
    public float[] writes() {
        return out;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        if (geometry == null) {
            return "Dense";
        }
        if (accumulate) {
            return "Conv2d (projection)";
        }
        return geometry.isDepthwise() ? "Conv2d (depthwise)" : geometry.kh() == 1 && geometry.kw() == 1 ? "Conv2d 1x1" : "Conv2d kxk";
    }

    @Override
    public String kernel() {
        return kernel == null ? "" : kernel.label();
    }
}
