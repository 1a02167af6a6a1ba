package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A convolution vectorised over output channels rather than positions, for every window and stride and
 * for the 1x1 convolutions of small maps. The first register tile, which NCHW inputs still take where
 * the JIT has 16 vector registers ({@link VectorRegisters}), is 7 consecutive output pixels of one row
 * by 64 output channels (4 vectors), 28 accumulators: each reduction step loads 64 weights (packed
 * once, [panel][k][64]) and broadcasts 7 input pixels from {@link StridePhases}, or for a 1x1 stride-1
 * convolution straight from the input, the 7 pixels running on across rows. The 28 accumulators take
 * one load per 2.5 FMAs, against one per 1.6 for the 8x32 tile; a 7-pixel tile fills rows of 7, 14, 28
 * and 56 exactly, where a 32-position tile wastes up to a quarter of a 7x7 map; and no im2col is
 * built. Results leave through a scatter into NCHW, 16 channels of one pixel per store.
 *
 * <p>A blocked input takes {@link BlockedMicroKernel}'s tile instead: 14 pixels (two blocks of 7) by 32
 * channels, its reduction in groups of one channel block, which fits the register file and lets the
 * JIT drop the per-broadcast index checks. So does a stem's NCHW input under a 7-wide window at
 * stride 2: {@link RowMicroKernel} runs that tile over a zero-padded copy, in groups of one window row.
 * Any other NCHW input takes the same tile's shape on {@link NarrowMicroKernel}, in panels of 32 output
 * channels: at 32 (MobileNet's 3x3 stem) the 64-channel tile left half its lanes summing zeros, and at
 * 64 its 28 accumulators, four weight vectors and a broadcast are one more than the 32 registers
 * (AlexNet's first layer alone: 0.82 to 0.73 ms at batch 1, 13.6 to 12.4 at batch 16). At column
 * stride 2 and a reduction of one slice (MobileNet's stems) it reads the input in place, every other
 * float, and copies only the runs at the border ({@link BorderPatches}).
 *
 * <p>A task runs one weight panel over up to 32 pixel blocks, the reduction in slices of {@link #KB}
 * steps or {@link #SLICE_GROUPS} groups: each weight slice is read from memory once, by
 * {@link SliceReader}, and from L1 for every block. On the small maps the weights, not the
 * activations, are the large operand, so there are few tasks per panel. A 1x1 layer on a blocked input,
 * and any layer whose input comes from memory, runs up to four panels over its blocks in a task instead,
 * one tile's input slice through each panel in turn ({@link #panelsTogether}).
 *
 * <p>Two such layers into one output whose tiles cover the same pixels (a bottleneck's last 1x1 layer and
 * its projection shortcut) run as one job ({@link #runJoined}): each tile sums the first layer's reduction,
 * then the second's onto it, and goes through one epilogue, so the output is written once.
 */
public final class ChannelVectorConv {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Pixels of a register tile. */
    static final int PR = 7;
    /** Tasks to aim for, so that two workers can balance a slow neighbour's share. */
    private static final int TARGET_TASKS = 8;
    /** At most this many pixel blocks per task: their partial sums (56 KiB) must stay in L2 across the slices. */
    private static final int MAX_BLOCKS_PER_TASK = 32;
    /** Reduction steps per slice of the NCHW tile: KB x 32 floats of weights (16 KiB at 512 bits) stay in L1 across a task's blocks. */
    static final int KB = 128;
    /**
     * Reduction groups per slice of the blocked tile: 8 x 16 steps x 32 channels of weights (16 KiB)
     * stay in L1 beside the pixel blocks' input. Measured against 16 groups once {@link SliceReader}
     * read the slices ahead: ResNet-50 1.5% faster, its last stage's layers 3% alone; 4 were slower.
     * (The NCHW tiles slice by {@link #KB} steps.)
     */
    static final int SLICE_GROUPS = 8;
    /**
     * A job of one weight panel that reads at least this much input in place reads each next tile's input
     * lines ahead ({@link #touchAhead}): more than the caches keep from the layer before.
     */
    static final long TOUCH_AHEAD_BYTES = 8L << 20;
    /**
     * A 1x1 job of several weight panels that reads at most this much input in place reads each next tile's
     * input lines ahead too: an input the caches hold, much of it in the other core's ({@link #touchesAhead}).
     */
    static final long SHARED_INPUT_BYTES = 2L << 20;
    /**
     * Weight panels a task runs together ({@link #panelsTogether}): each tile's input slice then comes from
     * memory once and from L1 for the other panels. All 8 of a 256-channel layer in one task, each tile
     * writing 16 output blocks in turn, were slower than one panel a task.
     */
    static final int PANELS_TOGETHER = 4;
    /** Reduction steps per slice of the row tile: 32 KiB of weights, as on the NCHW tile, and a 7x7 stem's 147 in one. */
    static final int ROW_SLICE_STEPS = 2 * KB;

    private final ConvGeometry g;
    private final int k;
    /** Whether the input is blocked, so that tiles are {@link BlockedMicroKernel}'s: two pixel blocks by 32 channels. */
    private final boolean grouped;
    /** Whether tiles are {@link RowMicroKernel}'s (a 7-wide window at column stride 2 on NCHW): the same two blocks by 32 channels. */
    private final boolean rows;
    /** Whether tiles are {@link NarrowMicroKernel}'s (any other NCHW input): two blocks by 32 channels. */
    private final boolean narrow;
    /** Whether tiles are {@link OneBlockMicroKernel}'s (a blocked input at stride 1 to one block of output channels): four blocks by 16 channels. */
    private final boolean oneBlock;
    /** Output channels of a tile and of a weight panel. */
    private final int nc;
    /** Pixel blocks of {@link #PR} per tile, and the floats of one tile's sums. */
    private final int tileBlocks;
    private final int tileFloats;
    private final float[] packed;
    private final int panels;
    private final Source source;
    private final boolean blockedOut;
    private final StridePhases phases;
    private final PaddedBlocks padded;
    private final BorderPatches border;
    /** A thread's patches of the two runs of a tile at the border ({@link BorderPatches}). */
    private final ThreadLocal<float[]> patches;
    /**
     * Input offsets from a run's first pixel: one per reduction step j on an NCHW input, one per
     * reduction group (channel block, ky, kx) on a blocked input.
     */
    private final int[] taps;
    /** Floats between consecutive pixels of a tile in the source. */
    private final int pixelStep;
    /** Floats between the first pixels of consecutive output rows in the source (row tiles only). */
    private final int rowStep;
    /** Pixel blocks per output row; 0 when the blocks run on across rows. */
    private final int blocksPerRow;
    private final int blocks;
    /** Tiles of one sample. */
    private final int tileCount;
    /** At most this many tiles per task. */
    private final int maxTilesPerTask;
    /** Zeros, read as the bias of a layer without one (one load either way keeps the vector code straight). */
    private final float[] noBias;
    private final ThreadLocal<float[]> tiles;
    /** Floats of one sample of the input and of the output: more than the tensor's inside a frame. */
    private final int inSampleFloats;
    private final int outSampleFloats;
    /** Output channels a sample holds: a blocked output's in whole blocks, the padding's lanes written as zeros. */
    private final int outChannels;
    /** The call's bias in whole blocks: the epilogue's own, or its copy with zeros after the last channel. */
    private float[] callBias;
    private float[] paddedBiasOf;
    private float[] paddedBias;
    /** The output's own array, unsliced. */
    private final OutputSlice whole;
    /** Floats per channel block of a blocked output, and each output position's offset in its block. */
    private final int outPlane;
    private final int[] outPixel;
    /** The same for a blocked residual, for the frame it was laid out for (null: none), as the call's epilogue has it. */
    private ChannelBlocks.Frame residualFrame;
    private int residualPlane;
    private int residualSampleFloats;
    private int[] residualPixel;

    private float[] callIn;
    /** Where the sample being copied begins in the input (copied sources only). */
    private int callInBase;
    private float[] callOut;
    private OutputSlice callSlice;
    private float[] callPlanes;
    /** Whether each thread copies the sample into its own buffer ({@link ThreadOwnInput}): every task reads the whole copy. */
    private boolean callOwnCopy;
    private long callJob;
    private Epilogue callEpilogue;
    /**
     * The job's tiles: the whole batch's when the input is read in place, numbered sample after sample;
     * one sample's, {@link #callSample}, when it is copied first.
     */
    private int callTiles;
    private int callSample;
    /** Floats by which a job's output lies before where its samples' places would be: one sample run alone ({@link #runSample}). */
    private int callOutShift;
    /** Whether this job's tiles read the next tile's input ahead of the kernel ({@link #touchesAhead}). */
    private boolean callTouchAhead;
    /** The layer whose reduction this job adds into each tile before the epilogue ({@link #runJoined}); null when none. */
    private ChannelVectorConv callJoined;
    private int callTilesPerTask;
    /** The offsets of a band's channel blocks ({@link #beginBands}), and the plane they were made for. */
    private int[] bandTaps = new int[0];
    private int bandPlane;
    private final IntConsumer copyTask;
    /** Copies the job's sample into a thread's own buffer ({@link ThreadOwnInput}). */
    private final Consumer<float[]> copySample;
    private final IntConsumer tileTask;
    /** A task of {@link #panelsTogether} jobs: up to {@link #PANELS_TOGETHER} panels over one group of tiles. */
    private final IntConsumer groupTask;
    /** A task of a {@link #runChained} job: one pixel group of both layers. */
    private final IntConsumer chainTask;
    /** The layer that a {@link #runChained} job runs after this one, task by task; null outside such a job. */
    private ChannelVectorConv chained;
    /** Tasks a pixel group's panels make in a {@link #panelsTogether} job, of up to {@link #PANELS_TOGETHER} panels each. */
    private final int panelGroups;

    /** Where a tile's input pixels come from. */
    private enum Source {
        /** NCHW input read in place: a 1x1 stride-1 convolution, tiles running on across rows. */
        NCHW_FLAT,
        /** NCHW input copied into {@link StridePhases}. */
        NCHW_PHASES,
        /**
         * NCHW input read in place by {@link NarrowMicroKernel}'s tile at column stride 2, runs at the border
         * through {@link BorderPatches}: a reduction of one slice, so that a patch is filled once a tile.
         * MobileNet's 3x3 stride-2 stem 6 to 15% faster than through {@link StridePhases} at batch 16, 5 to 15% at 1.
         */
        NCHW_DIRECT,
        /** NCHW input under a 7-wide window at column stride 2, copied into zero-padded planes, for {@link RowMicroKernel}'s tile. */
        NCHW_ROWS,
        /** Blocked input read in place: a 1x1 stride-1 convolution, tiles running on across rows. */
        BLOCKED_FLAT,
        /** Blocked input read in place, a tile per part of an output row: no padding, whole tiles. */
        BLOCKED_ROWS,
        /** Blocked input copied into {@link PaddedBlocks}. */
        BLOCKED_PADDED
    }

    /**
     * Whether this kernel applies and pays on NCHW tensors: one group, dilation 1, at least 16 input and
     * 32 output channels, an activation the epilogue computes inline, and either a window or stride
     * (measured faster than {@link DirectConv} at every map size; not for a 3-channel stem, whose short
     * reduction makes the scattered stores count) or a 1x1 stride-1 convolution on a map of at most
     * 16x16 (on larger maps the GEMM, whose 32-position tile fills well, is faster).
     */
    public static boolean handles(ConvGeometry g, Activation activation) {
        return handlesBlocked(g, activation) && g.co() >= 32 && g.ci() >= 16 && (!g.isPointwise() || g.positions() <= 256);
    }

    /**
     * Whether this kernel can read or write {@link ChannelBlocks} tensors for this layer (in whole blocks,
     * or padded: {@link #readsPadded}): no size limit, as neither scatter nor copy is left to pay for, any
     * number of input channels, so that a 3-channel stem writes blocks for the layers after it, and as
     * few output channels as one block. A narrow layer leaves lanes of its tile idle, but it keeps the
     * layers around it blocked: MobileNet v2's 16- and 24-channel projections, which otherwise hold its
     * first seven layers, on the largest maps, in NCHW.
     */
    public static boolean handlesBlocked(ConvGeometry g, Activation activation) {
        return g.groups() == 1 && g.dh() == 1 && g.dw() == 1 && g.co() >= ChannelBlocks.BLOCK && VectorActivations.isCheap(activation);
    }

    /**
     * Whether this layer can read a blocked input whose last block is padded with zeros ({@link ChannelBlocks#padded}):
     * a 1x1 stride-1 layer whose tiles run on across rows, which reads the input in place. Its weights are
     * packed with zeros for the padding channels; any layer can write such an output, unframed.
     */
    public static boolean readsPadded(ConvGeometry g) {
        return g.isPointwise() && g.positions() % PR == 0;
    }

    /**
     * Whether a blocked input framed for this layer's window ({@link ChannelBlocks.Frame#around}) would
     * spare it a padded copy: a window that reaches into padding, over output rows of whole tiles.
     */
    public static boolean readsFramed(ConvGeometry g) {
        return !ChannelBlocks.Frame.around(g).equals(new ChannelBlocks.Frame(g.ih(), g.iw(), 0, 0)) && g.ow() % PR == 0;
    }

    /** A convolution from NCHW to NCHW. */
    public ChannelVectorConv(ConvGeometry g, float[] weight) {
        this(g, weight, false, false);
    }

    /** A convolution whose input and output are NCHW or {@link ChannelBlocks}, as the flags say. */
    public ChannelVectorConv(ConvGeometry g, float[] weight, boolean blockedIn, boolean blockedOut) {
        this(g, weight, blockedIn, blockedOut, null, null);
    }

    /**
     * As above, with a blocked input already inside the zero border its window needs ({@code inFrame},
     * which must be {@link ChannelBlocks.Frame#around} this layer and its rows whole tiles), or a blocked
     * output written inside a zero border for the next layer ({@code outFrame}); either may be null.
     */
    public ChannelVectorConv(ConvGeometry g, float[] weight, boolean blockedIn, boolean blockedOut, ChannelBlocks.Frame inFrame,
            ChannelBlocks.Frame outFrame) {
        if (blockedIn && !ChannelBlocks.fits(g.ci()) && (!readsPadded(g) || inFrame != null)
                || blockedOut && !ChannelBlocks.fits(g.co()) && outFrame != null) {
            throw new IllegalArgumentException("channels do not fill blocks of " + ChannelBlocks.BLOCK + ": " + g);
        }
        if (inFrame != null && (!blockedIn || !inFrame.equals(ChannelBlocks.Frame.around(g)) || g.ow() % PR != 0)
                || outFrame != null && (!blockedOut || outFrame.height() < outFrame.top() + g.oh()
                        || outFrame.width() < outFrame.left() + g.ow())) {
            throw new IllegalArgumentException("frame does not fit " + g + ": in " + inFrame + ", out " + outFrame);
        }
        this.g = g;
        this.inSampleFloats = inFrame != null ? inFrame.floats(g.ci()) : blockedIn ? ChannelBlocks.sampleFloats(g.ci(), g.ih() * g.iw()) : g.inputSize();
        this.outSampleFloats = outFrame != null ? outFrame.floats(g.co()) : blockedOut ? ChannelBlocks.sampleFloats(g.co(), g.positions()) : g.outputSize();
        this.outChannels = blockedOut ? ChannelBlocks.padded(g.co()) : g.co();
        this.whole = OutputSlice.whole(outSampleFloats);
        this.outPlane = outPlane(g, outFrame);
        this.outPixel = pixelOffsets(g, outFrame);
        this.residualPlane = outPlane(g, null);
        this.residualSampleFloats = outChannels * g.positions();
        this.residualPixel = pixelOffsets(g, null);
        // a blocked input's reduction runs over whole blocks, a padded one's last with zero weights
        this.k = blockedIn ? ChannelBlocks.padded(g.ci()) * g.kh() * g.kw() : g.k();
        this.blockedOut = blockedOut;
        this.source = inFrame != null ? Source.BLOCKED_ROWS : sourceFor(g, blockedIn, k);
        this.grouped = blockedIn;
        this.rows = source == Source.NCHW_ROWS;
        this.narrow = !grouped && !rows;
        this.oneBlock = grouped && g.co() <= ChannelBlocks.BLOCK && g.sw() == 1 && !VectorRegisters.few();
        this.nc = oneBlock ? ChannelBlocks.BLOCK : BlockedMicroKernel.CHANNELS;
        this.panels = (g.co() + nc - 1) / nc;
        this.packed = grouped ? packGrouped(g, weight, nc) : pack(g, weight, nc);
        this.phases = source == Source.NCHW_PHASES ? new StridePhases(g) : rows ? new StridePhases(strideOne(g)) : null;
        this.padded = source == Source.BLOCKED_PADDED ? new PaddedBlocks(g) : null;
        this.border = source == Source.NCHW_DIRECT ? new BorderPatches(g) : null;
        this.patches = ThreadLocal.withInitial(() -> new float[border == null ? 0 : 2 * border.patchFloats]);
        int b = ChannelBlocks.BLOCK;
        switch (source) {
            case NCHW_FLAT -> {
                this.taps = new int[k];
                for (int c = 0; c < k; c++) {
                    taps[c] = c * g.positions();
                }
                this.pixelStep = 1;
                this.rowStep = 0;
            }
            case NCHW_PHASES -> {
                this.taps = phases.tapOffset;
                this.pixelStep = 1;
                this.rowStep = phases.pw;
            }
            case NCHW_DIRECT -> {
                this.taps = border.taps;
                this.pixelStep = g.sw();
                this.rowStep = g.sh() * g.iw();
            }
            case NCHW_ROWS -> {
                // one tap per (channel, ky) group: the group's kx steps are consecutive floats of the row
                this.taps = new int[g.ci() * g.kh()];
                for (int group = 0; group < taps.length; group++) {
                    taps[group] = phases.tapOffset[group * g.kw()];
                }
                this.pixelStep = RowMicroKernel.STEP;
                this.rowStep = g.sh() * phases.pw;
            }
            case BLOCKED_FLAT, BLOCKED_ROWS -> {
                int h = inFrame == null ? g.ih() : inFrame.height();
                int w = inFrame == null ? g.iw() : inFrame.width();
                this.taps = groupTaps(g, h, w);
                this.pixelStep = g.sw() * b;
                this.rowStep = g.sh() * w * b;
            }
            default -> {
                this.taps = groupTaps(g, padded.ph, padded.pw);
                this.pixelStep = g.sw() * b;
                this.rowStep = g.sh() * padded.pw * b;
            }
        }
        this.tileBlocks = oneBlock ? OneBlockMicroKernel.RUNS : BlockedMicroKernel.PIXELS / PR;
        this.tileFloats = tileBlocks * PR * nc;
        boolean flat = source == Source.NCHW_FLAT || source == Source.BLOCKED_FLAT;
        this.blocksPerRow = flat ? 0 : (g.ow() + PR - 1) / PR;
        this.blocks = flat ? g.positions() / PR : g.oh() * blocksPerRow;
        this.tileCount = (blocks + tileBlocks - 1) / tileBlocks;
        this.maxTilesPerTask = MAX_BLOCKS_PER_TASK / tileBlocks;
        // after the tiles, one tile's room for a later slice's sums (groupedSums), and one float that keeps the sum
        // of the weight slices read ahead (SliceReader); sized by the first job
        this.tiles = ThreadLocal.withInitial(() -> new float[tilesFloats(callTilesPerTask)]);
        this.noBias = new float[outChannels];
        this.copyTask = t -> copy(callPlanes, t);
        this.copySample = this::copySample;
        // every panel of one pixel group before the next group: the workers take tasks from both ends, so
        // each keeps to its own part of the map from layer to layer, and finds it in its own cache
        this.tileTask = t -> task(t % panels, t / panels);
        this.panelGroups = (panels + PANELS_TOGETHER - 1) / PANELS_TOGETHER;
        this.groupTask = t -> panelsTogetherTask(t % panelGroups, t / panelGroups);
        this.chainTask = this::chainTask;
    }

    /** Weights as panels of {@code width} output channels, [panel][k][width], in the reduction's own order. */
    static float[] pack(ConvGeometry g, float[] weight, int width) {
        int k = g.k();
        float[] packed = new float[(g.co() + width - 1) / width * k * width];
        for (int o = 0; o < g.co(); o++) {
            for (int j = 0; j < k; j++) {
                packed[(o / width * k + j) * width + o % width] = weight[o * k + j];
            }
        }
        return packed;
    }

    /**
     * The same window at stride 1 over just the rows and columns a stride-2 pass reads, so that its
     * {@link StridePhases} is one zero-padded plane per channel, holding every tap this layer reads.
     */
    /** Floats per channel block of a blocked output of g, inside frame f or not (null). */
    private static int outPlane(ConvGeometry g, ChannelBlocks.Frame f) {
        return (f == null ? g.positions() : f.height() * f.width()) * ChannelBlocks.BLOCK;
    }

    /** Each output position's offset within its channel block's plane, inside frame f or not (null); a run's worth past the end. */
    private static int[] pixelOffsets(ConvGeometry g, ChannelBlocks.Frame f) {
        int[] offsets = new int[g.positions() + PR];
        for (int p = 0; p < offsets.length; p++) {
            int y = p / g.ow();
            int x = p % g.ow();
            offsets[p] = (f == null ? p : (y + f.top()) * f.width() + x + f.left()) * ChannelBlocks.BLOCK;
        }
        return offsets;
    }

    private static ConvGeometry strideOne(ConvGeometry g) {
        return new ConvGeometry(g.ci(), g.ih(), g.iw(), g.co(), (g.oh() - 1) * g.sh() + 1, (g.ow() - 1) * g.sw() + 1, g.kh(), g.kw(), 1, 1,
                g.pt(), g.pl(), 1, 1, 1);
    }

    /**
     * Weights for {@link BlockedMicroKernel} and {@link OneBlockMicroKernel}: panels of {@code nc} channels,
     * the reduction reordered to [channel block][ky][kx][channel in block], so that a group of steps reads
     * one pixel's block.
     */
    private static float[] packGrouped(ConvGeometry g, float[] weight, int nc) {
        int b = ChannelBlocks.BLOCK;
        int k = g.k();
        int window = g.kh() * g.kw();
        int steps = ChannelBlocks.padded(g.ci()) * window; // a padded block's channels keep zero weights
        float[] packed = new float[(g.co() + nc - 1) / nc * steps * nc];
        for (int o = 0; o < g.co(); o++) {
            for (int c = 0; c < g.ci(); c++) {
                for (int tap = 0; tap < window; tap++) {
                    int step = (c / b * window + tap) * b + c % b;
                    packed[(o / nc * steps + step) * nc + o % nc] = weight[o * k + c * window + tap];
                }
            }
        }
        return packed;
    }

    private static Source sourceFor(ConvGeometry g, boolean blockedIn, int k) {
        boolean flat = g.isPointwise() && g.positions() % PR == 0;
        if (!blockedIn) {
            // RowMicroKernel's 28 accumulators spill with 16 registers; the narrow tile has passes for those
            boolean rowTile = !VectorRegisters.few() && g.sw() == RowMicroKernel.STEP && g.kw() == RowMicroKernel.WIDTH;
            // NarrowMicroKernel's tile; at stride 1 the copy is a plain padded one, and VGG's first layer was 6 to 12% faster on it
            boolean direct = k <= KB && g.sw() == 2;
            return flat ? Source.NCHW_FLAT : rowTile ? Source.NCHW_ROWS : direct ? Source.NCHW_DIRECT : Source.NCHW_PHASES;
        }
        if (flat) {
            return Source.BLOCKED_FLAT;
        }
        boolean unpadded = g.pt() == 0 && g.pl() == 0 && (g.oh() - 1) * g.sh() + g.kh() <= g.ih()
                && (g.ow() - 1) * g.sw() + g.kw() <= g.iw();
        return unpadded && g.ow() % PR == 0 ? Source.BLOCKED_ROWS : Source.BLOCKED_PADDED;
    }

    /** Offsets of a blocked source of h x w pixels per plane, one per reduction group = (channel block, ky, kx). */
    private static int[] groupTaps(ConvGeometry g, int h, int w) {
        int b = ChannelBlocks.BLOCK;
        int blocks = ChannelBlocks.padded(g.ci()) / b;
        int[] taps = new int[blocks * g.kh() * g.kw()];
        int j = 0;
        for (int block = 0; block < blocks; block++) {
            for (int ky = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < g.kw(); kx++) {
                    taps[j++] = (block * h * w + ky * w + kx) * b;
                }
            }
        }
        return taps;
    }

    /** Whether this layer runs on {@link RowMicroKernel}'s tile. */
    boolean readsRows() {
        return rows;
    }

    /** Whether this layer runs on {@link OneBlockMicroKernel}'s tile. */
    boolean readsOneBlock() {
        return oneBlock;
    }

    /** Whether this layer runs on {@link NarrowMicroKernel}'s tile. */
    boolean readsNarrow() {
        return narrow;
    }

    /** Whether the last job's threads each copied its input for themselves ({@link ThreadOwnInput}). */
    boolean copiedPerThread() {
        return callOwnCopy;
    }

    private int copyTasks() {
        return phases != null ? phases.copyTasks() : padded.copyTasks();
    }

    /** What the tiles read: the input in place, the call's copy, or this thread's own. */
    private float[] planes() {
        return callOwnCopy ? ThreadOwnInput.forJob(callJob, workspaceSize(), copySample) : callPlanes;
    }

    /** The job's sample copied into {@code planes}, and zeros over the last tile's overrun. */
    private void copySample(float[] planes) {
        for (int t = 0; t < copyTasks(); t++) {
            copy(planes, t);
        }
        java.util.Arrays.fill(planes, copySize(), workspaceSize(), 0f);
    }

    private void copy(float[] planes, int task) {
        if (phases != null) {
            phases.copy(callIn, callInBase, planes, task);
        } else {
            padded.copy(callIn, callInBase, planes, task);
        }
    }

    private boolean copies() {
        return phases != null || padded != null;
    }

    /** Floats of one sample's copied input. */
    private int copySize() {
        return phases != null ? phases.size() : padded != null ? padded.size() : 0;
    }

    /** Floats of one sample of the output, as its own array holds it: a blocked output's padded blocks or frame included. */
    public int outSampleFloats() {
        return outSampleFloats;
    }

    /** Floats of workspace a call needs: one sample's copied input and a last tile's overrun past it. */
    public int workspaceSize() {
        return copies() ? copySize() + PR * pixelStep : 0;
    }

    public void run(Workers workers, float[] in, float[] out, int n, Epilogue e, float[] workspace) {
        run(workers, in, out, whole, n, e, workspace);
    }

    /**
     * As above, the output written into {@code slice} of {@code out} (a branch of a concatenation, say).
     * An input read in place makes one job of the whole batch, so that a task's tiles run on from one
     * sample into the next under the same weight slice: on a 7x7 map a sample has four tiles, and the
     * weights, not the pixels, are the large operand. A copied input goes sample by sample through the
     * one sample's copy the workspace holds.
     */
    public void run(Workers workers, float[] in, float[] out, OutputSlice slice, int n, Epilogue e, float[] workspace) {
        begin(in, out, slice, n, e, workspace);
        if (!copies()) {
            int taskGroups = plan(n * tileCount);
            callSample = 0;
            boolean together = panelsTogether(n);
            workers.parallelFor(together ? panelGroups * taskGroups : panels * taskGroups, together ? groupTask : tileTask);
            return;
        }
        java.util.Arrays.fill(workspace, copySize(), workspaceSize(), 0f);
        int taskGroups = plan(tileCount);
        for (int sample = 0; sample < n; sample++) {
            copyAndConvolve(workers, sample, sample, taskGroups);
        }
    }

    /**
     * Sample {@code sample} of {@code in} alone, its output as the first sample of {@code out}: a stem whose max
     * pool reads each sample as it is finished needs a sample's output, not the batch's. e adds no residual.
     */
    public void runSample(Workers workers, float[] in, int sample, float[] out, Epilogue e, float[] workspace) {
        begin(in, out, whole, 1, e, workspace);
        if (copies()) {
            java.util.Arrays.fill(workspace, copySize(), workspaceSize(), 0f);
            copyAndConvolve(workers, sample, 0, plan(tileCount));
            return;
        }
        int taskGroups = plan(tileCount);
        callSample = sample;
        callOutShift = whole.base(sample);
        boolean together = panelsTogether(1);
        try {
            workers.parallelFor(together ? panelGroups * taskGroups : panels * taskGroups, together ? groupTask : tileTask);
        } finally {
            callOutShift = 0;
        }
    }

    /** The call's arguments, for a job of {@code n} samples. */
    private void begin(float[] in, float[] out, OutputSlice slice, int n, Epilogue e, float[] workspace) {
        callIn = in;
        callOut = out;
        callSlice = slice;
        callPlanes = copies() ? workspace : in;
        callEpilogue = e;
        callBias = bias(e);
        residualLayout(e);
        callTouchAhead = touchesAhead(n);
    }

    /** Copies input sample {@code sample} into the planes and convolves them into output sample {@code outSample}. */
    private void copyAndConvolve(Workers workers, int sample, int outSample, int taskGroups) {
        callInBase = sample * inSampleFloats;
        callSample = outSample;
        callJob = ThreadOwnInput.newJob();
        callOwnCopy = taskGroups == 1 && workers.threads() > 1;
        if (!callOwnCopy) {
            workers.parallelFor(copyTasks(), copyTask);
        }
        workers.parallelFor(panels * taskGroups, tileTask);
    }

    /**
     * As {@link #run}, with {@code other}'s reduction over {@code otherIn} added to each tile's sums before the
     * epilogue: two 1x1 layers into one output, each output line written once (a bottleneck's last layer and
     * its projection shortcut). The caller has checked once that they share tiles ({@link #canJoin}); e's bias
     * is the sum's.
     */
    public void runJoined(Workers workers, float[] in, ChannelVectorConv other, float[] otherIn, float[] out, OutputSlice slice, int n,
            Epilogue e, float[] workspace) {
        join(other, otherIn);
        try {
            run(workers, in, out, slice, n, e, workspace);
        } finally {
            callJoined = null;
        }
    }

    /**
     * Whether {@code next}, a 1x1 stride-1 layer that reads this 1x1 stride-1 layer's whole output in place, can
     * run in the same tasks ({@link #runChained}): both read flat blocks into two-block tiles over the same
     * pixel blocks, so that a tile of one covers the same pixels as that tile of the other.
     */
    public boolean canChain(ChannelVectorConv next) {
        return g.isPointwise() && next.g.isPointwise() && source == Source.BLOCKED_FLAT && next.source == Source.BLOCKED_FLAT
                && grouped && next.grouped && !oneBlock && !next.oneBlock && blockedOut && outSampleFloats == next.inSampleFloats
                && tileBlocks == next.tileBlocks && blocks == next.blocks && tileCount == next.tileCount;
    }

    /**
     * This layer (input {@code in}, output {@code out}, epilogue {@code e}) and then {@code next} on its output,
     * task by task ({@link #canChain}): a task sums one group of this layer's tiles, every panel, and then the
     * same tiles of {@code next}, which read the pixels the task has just written, in its own L2, instead of
     * from memory once the whole layer is done. This layer's output is still written whole. Each layer's sums
     * are those of its own {@link #run}: the same slices in the same order.
     */
    public void runChained(Workers workers, float[] in, float[] out, Epilogue e, ChannelVectorConv next, float[] nextOut, OutputSlice nextSlice,
            Epilogue nextE, int n) {
        begin(in, out, whole, n, e, null);
        next.begin(out, nextOut, nextSlice, n, nextE, null);
        callSample = next.callSample = 0;
        callTouchAhead = next.callTouchAhead = false;
        int tiles = n * tileCount;
        // pixel groups as large as a task of either layer takes alone, four a thread at least
        int perTask = Math.max(1, Math.min(maxTilesPerTask, tiles / (4 * workers.threads())));
        callTiles = next.callTiles = tiles;
        callTilesPerTask = next.callTilesPerTask = perTask;
        chained = next;
        try {
            workers.parallelFor((tiles + perTask - 1) / perTask, chainTask);
        } finally {
            chained = null;
        }
    }

    /** Pixel group {@code group} of a {@link #runChained} job: this layer's tiles, then the next layer's. */
    private void chainTask(int group) {
        int first = group * callTilesPerTask;
        int last = Math.min(callTiles, first + callTilesPerTask);
        everyPanel(first, last);
        chained.everyPanel(first, last);
    }

    /** Tiles [first, last) of every panel, {@link #PANELS_TOGETHER} panels at a time, a joined layer's sums added ({@link #groupedJob}). */
    private void everyPanel(int first, int last) {
        float[] tiles = threadTiles(callTilesPerTask * PANELS_TOGETHER);
        for (int p0 = 0; p0 < panels; p0 += PANELS_TOGETHER) {
            groupedJob(p0, Math.min(panels, p0 + PANELS_TOGETHER), first, last, tiles);
        }
    }

    /**
     * As {@link #runChained}, with {@code other}'s reduction over {@code otherIn} added to this layer's tiles, as
     * {@link #runJoined} adds it ({@link #canJoin}): a bottleneck's last layer and its projection, then the next
     * bottleneck's first layer.
     */
    public void runJoinedChained(Workers workers, float[] in, ChannelVectorConv other, float[] otherIn, float[] out, Epilogue e,
            ChannelVectorConv next, float[] nextOut, OutputSlice nextSlice, Epilogue nextE, int n) {
        join(other, otherIn);
        try {
            runChained(workers, in, out, e, next, nextOut, nextSlice, nextE, n);
        } finally {
            callJoined = null;
        }
    }

    /** Readies {@code other} to add its reduction over {@code otherIn} into this layer's tiles, from the batch's first sample on. */
    private void join(ChannelVectorConv other, float[] otherIn) {
        other.callPlanes = otherIn;
        other.callSample = 0;
        other.callTouchAhead = false;
        callJoined = other;
    }

    /**
     * Whether {@code other} can add its reduction into this layer's tiles ({@link #runJoined}): both read blocks
     * in place into two-block tiles of the same output map and channels, their tiles over the same pixels.
     */
    public boolean canJoin(ChannelVectorConv other) {
        boolean tiles = grouped && other.grouped && !oneBlock && !other.oneBlock && !copies() && !other.copies() && blockedOut
                && other.blockedOut && nc == other.nc && tileBlocks == other.tileBlocks && blocks == other.blocks
                && tileCount == other.tileCount && g.co() == other.g.co() && g.oh() == other.g.oh() && g.ow() == other.g.ow();
        for (int block = 0; tiles && block < blocks; block++) {
            tiles = firstPixel(block) == other.firstPixel(block) && validPixels(block) == other.validPixels(block);
        }
        return tiles;
    }

    /** The output position of a pixel block's first pixel. */
    private int firstPixel(int block) {
        return blocksPerRow == 0 ? block * PR : block / blocksPerRow * g.ow() + block % blocksPerRow * PR;
    }

    /** The pixels of a pixel block that lie in the map. */
    private int validPixels(int block) {
        return blocksPerRow == 0 ? PR : Math.min(PR, g.ow() - block % blocksPerRow * PR);
    }

    /** Where a blocked residual's pixels lie, for the frame e's residual was laid out in: known from the first call on. */
    private void residualLayout(Epilogue e) {
        if (!java.util.Objects.equals(e.residualFrame(), residualFrame)) {
            residualFrame = e.residualFrame();
            residualPlane = outPlane(g, residualFrame);
            residualSampleFloats = residualFrame == null ? outChannels * g.positions() : residualFrame.floats(g.co());
            residualPixel = pixelOffsets(g, residualFrame);
        }
    }

    /** The epilogue's bias, as long as the output's blocks: copied once with zeros after it when they are padded. */
    private float[] bias(Epilogue e) {
        float[] bias = e.bias() == null ? noBias : e.bias();
        if (bias.length >= outChannels) {
            return bias;
        }
        if (bias != paddedBiasOf) {
            paddedBiasOf = bias;
            paddedBias = java.util.Arrays.copyOf(bias, outChannels);
        }
        return paddedBias;
    }

    /**
     * Splits a job of {@code tiles} tiles into groups of at most {@link #MAX_BLOCKS_PER_TASK} pixel blocks,
     * enough of them, with the panels, for {@link #TARGET_TASKS} tasks; returns the number of groups.
     */
    private int plan(int tiles) {
        int groups = Math.min(tiles, Math.max(1, (TARGET_TASKS + panels - 1) / panels));
        callTiles = tiles;
        callTilesPerTask = Math.min(maxTilesPerTask, (tiles + groups - 1) / groups);
        return (tiles + callTilesPerTask - 1) / callTilesPerTask;
    }

    /**
     * Weight panel {@code panel} over the job's tiles [group * callTilesPerTask, ...), the reduction in slices of
     * {@link #KB} steps: each slice of the panel is read from memory once and from L1 for every other tile.
     */
    private void task(int panel, int group) {
        float[] tiles = threadTiles(callTilesPerTask);
        int first = group * callTilesPerTask;
        int last = Math.min(callTiles, first + callTilesPerTask);
        if (grouped) {
            groupedJob(panel, panel + 1, first, last, tiles);
        } else if (rows) {
            rowSums(panel, first, last, tiles);
        } else {
            narrowSums(panel, first, last, tiles);
        }
    }

    /** The calling thread's tiles, room for {@code count} tiles' sums and what {@link #tilesFloats} adds: grown for a larger job than the first. */
    private float[] threadTiles(int count) {
        float[] tiles = this.tiles.get();
        if (tiles.length < tilesFloats(count)) {
            tiles = new float[tilesFloats(count)];
            this.tiles.set(tiles);
        }
        return tiles;
    }

    /** Floats of a thread's tiles for a job of this many tiles per task: theirs, one more tile's, and one float. */
    private int tilesFloats(int tilesPerTask) {
        return (tilesPerTask + 1) * tileFloats + 1;
    }

    /** Where in a thread's tiles a later slice's sums go before they are added to their tile's: the room after the tiles. */
    private int laterSlice(float[] tiles) {
        return tiles.length - 1 - tileFloats;
    }

    /**
     * The finished sums of tile {@code tile} of {@code sample}, at {@code t} in {@code tiles}, through the
     * epilogue into the output: called right after the tile's last slice, while its sums are still in L1.
     */
    private void finish(int panel, int sample, int tile, int t, float[] tiles) {
        finishBlocks(panel, sample, tile * tileBlocks, Math.min(tileBlocks, blocks - tile * tileBlocks), t, tiles);
    }

    /** As {@link #finish}, for the tile's first {@code count} pixel blocks, the first of them the sample's block {@code block0}. */
    private void finishBlocks(int panel, int sample, int block0, int count, int t, float[] tiles) {
        int outBase = callSlice.base(sample) - callOutShift;
        int residualBase = sample * residualSampleFloats;
        for (int part = 0; part < count; part++) {
            int block = block0 + part;
            int pixel = firstPixel(block);
            int valid = validPixels(block);
            int at = t + part * PR * nc;
            if (blockedOut) {
                blockedEpilogue(tiles, at, valid, panel * nc, pixel, outBase, residualBase);
            } else {
                epilogue(tiles, at, valid, panel * nc, pixel, outBase, residualBase);
            }
        }
    }

    /**
     * The sums of tiles [first, last) of weight panels [p0, p1) on {@link BlockedMicroKernel}, in slices of
     * {@link #SLICE_GROUPS} reduction groups, each tile's input slice running through one panel's weights
     * after the other while it is in L1: the first slice's sums go to the tile's room ([tile][panel]), each
     * later slice's to the room after the tiles and are then added to them. When the map has an odd number
     * of pixel blocks, the last tile has one run: at stride 1 or 2 it runs a one-run tile, otherwise its
     * second run repeats the first, summed and never stored. Unless {@code fresh}, the tiles already hold
     * sums (a joined layer's, {@link #runJoined}) and every slice is added to them; after the last slice,
     * {@code finisher}'s epilogue takes each tile, when there is one.
     */
    private void groupedSums(int p0, int p1, int first, int last, float[] tiles, boolean fresh, ChannelVectorConv finisher) {
        int groups = taps.length;
        int groupFloats = BlockedMicroKernel.GROUP * nc;
        int later = laterSlice(tiles);
        float read = 0;
        float[] planes = planes();
        for (int g0 = 0; g0 < groups; g0 += SLICE_GROUPS) {
            int g1 = Math.min(groups, g0 + SLICE_GROUPS);
            for (int panel = p0; panel < p1; panel++) {
                read += SliceReader.read(packed, panel * k * nc + g0 * groupFloats, panel * k * nc + g1 * groupFloats);
            }
            for (int tile = first; tile < last; tile++) {
                if (callTouchAhead && tile + 1 < last) {
                    read += touchAhead(tile + 1, g0, g1);
                }
                int sample = callSample + tile / tileCount;
                int block = tile % tileCount * tileBlocks;
                int firstRun = inputOffset(sample, block);
                boolean half = !oneBlock && (tileBlocks == 1 || block + 1 == blocks);
                int secondRun = half ? firstRun : inputOffset(sample, block + 1);
                for (int panel = p0; panel < p1; panel++) {
                    int aBase = panel * k * nc;
                    int t = ((tile - first) * (p1 - p0) + panel - p0) * tileFloats;
                    boolean stores = fresh && g0 == 0;
                    int sums = stores ? t : later;
                    if (oneBlock) {
                        // runs past the map's last block repeat its first: summed, never stored
                        int second = block + 1 < blocks ? inputOffset(sample, block + 1) : firstRun;
                        int third = block + 2 < blocks ? inputOffset(sample, block + 2) : firstRun;
                        int fourth = block + 3 < blocks ? inputOffset(sample, block + 3) : firstRun;
                        OneBlockMicroKernel.unitStep(packed, aBase, planes, firstRun, second, third, fourth, taps, g0, g1, tiles, sums);
                    } else {
                        blockedTile(planes, aBase, firstRun, secondRun, half, g0, g1, tiles, sums);
                    }
                    if (!stores) {
                        BlockedMicroKernel.addTile(tiles, later, t, half ? PR * nc : tileFloats);
                    }
                    if (g1 == groups && finisher != null) {
                        finisher.finish(panel, sample, tile % tileCount, t, tiles);
                    }
                }
            }
        }
        tiles[tiles.length - 1] = read;
    }

    /** One tile of {@link BlockedMicroKernel} over groups [g0, g1), its sums at {@code sums}: one run when {@code half}. */
    private void blockedTile(float[] planes, int aBase, int firstRun, int secondRun, boolean half, int g0, int g1, float[] tiles, int sums) {
        if (half && pixelStep == ChannelBlocks.BLOCK) {
            BlockedMicroKernel.unitRun(packed, aBase, planes, firstRun, taps, g0, g1, tiles, sums);
        } else if (half && pixelStep == 2 * ChannelBlocks.BLOCK) {
            BlockedMicroKernel.twoRun(packed, aBase, planes, firstRun, taps, g0, g1, tiles, sums);
        } else if (pixelStep == ChannelBlocks.BLOCK) {
            BlockedMicroKernel.unitStep(packed, aBase, planes, firstRun, secondRun, taps, g0, g1, tiles, sums);
        } else if (pixelStep == 2 * ChannelBlocks.BLOCK) {
            BlockedMicroKernel.twoStep(packed, aBase, planes, firstRun, secondRun, taps, g0, g1, tiles, sums);
        } else {
            BlockedMicroKernel.anyStep(packed, aBase, planes, firstRun, secondRun, pixelStep, taps, g0, g1, tiles, sums);
        }
    }

    /**
     * Whether a batch of {@code n} runs up to {@link #PANELS_TOGETHER} weight panels in each task: a blocked
     * input read in place into two or more panels on {@link BlockedMicroKernel}, by a 1x1 stride-1 layer at
     * any size, by a windowed or strided one from {@link #TOUCH_AHEAD_BYTES} of input (at batch 16, ResNet's
     * 3x3 layers that read a framed input on 56x56 maps). A task of one panel read a tile's input slice from
     * memory or from the other core's cache, and each next panel's task read it again from L2. The 1x1
     * layers gained at every size (MobileNet v1 3% at batch 1 and 16, ResNet-50 about 2% at 16); ResNet-18's
     * strided layers below 8 MiB lost half a percent at batch 16.
     */
    boolean panelsTogether(int n) {
        return grouped && !oneBlock && panels > 1 && !copies()
                && (source == Source.BLOCKED_FLAT || (long) n * inSampleFloats * Float.BYTES >= TOUCH_AHEAD_BYTES);
    }

    /** Tiles [group * callTilesPerTask, ...) of the weight panels of {@code panelGroup}: a task of a {@link #panelsTogether} job. */
    private void panelsTogetherTask(int panelGroup, int group) {
        int p0 = panelGroup * PANELS_TOGETHER;
        int p1 = Math.min(panels, p0 + PANELS_TOGETHER);
        float[] tiles = threadTiles(callTilesPerTask * (p1 - p0));
        int first = group * callTilesPerTask;
        groupedJob(p0, p1, first, Math.min(callTiles, first + callTilesPerTask), tiles);
    }

    /** Tiles [first, last) of panels [p0, p1): this layer's reduction, then a joined layer's onto the same sums, then the epilogue. */
    private void groupedJob(int p0, int p1, int first, int last, float[] tiles) {
        if (callJoined == null) {
            groupedSums(p0, p1, first, last, tiles, true, this);
        } else {
            groupedSums(p0, p1, first, last, tiles, true, null);
            callJoined.groupedSums(p0, p1, first, last, tiles, false, this);
        }
    }

    /**
     * Whether this layer can take its input a band of output rows at a time from another kernel's buffer
     * ({@link #bandSums}): a 1x1 stride-1 layer reading blocks in place, its rows whole pixel blocks.
     */
    public boolean readsBands() {
        return source == Source.BLOCKED_FLAT && g.ow() % PR == 0 && pixelStep == ChannelBlocks.BLOCK;
    }

    /**
     * Readies the calls of {@link #bandSums} that follow for output {@code out} (its sample at
     * {@code slice}) and epilogue {@code e}, as {@link #run} readies its own tasks, with the bands'
     * channel blocks {@code plane} floats apart.
     */
    public void beginBands(float[] out, OutputSlice slice, Epilogue e, int plane) {
        if (!readsBands()) {
            throw new IllegalStateException("this layer does not read bands: " + g);
        }
        callOut = out;
        callSlice = slice;
        callEpilogue = e;
        callBias = bias(e);
        callTouchAhead = false;
        residualLayout(e);
        if (bandTaps.length != taps.length || bandPlane != plane) {
            bandTaps = new int[taps.length];
            for (int group = 0; group < taps.length; group++) {
                bandTaps[group] = group * plane; // a 1x1 layer's groups are its input's channel blocks
            }
            bandPlane = plane;
        }
    }

    /**
     * Output pixels [pixel0, pixel0 + pixels) of {@code sample}, every panel, on the calling thread, from
     * {@code band}: the input's channel blocks {@link #beginBands}'s plane apart, each holding the pixels
     * from pixel0 on from its offset 0. Both ends fall on whole pixel blocks (rows, {@link #readsBands}).
     * The tiles, slices and order of every sum are {@link #groupedSums}', so the results are the same.
     */
    public void bandSums(float[] band, int sample, int pixel0, int pixels) {
        int runs = pixels / PR;
        int bandTiles = (runs + tileBlocks - 1) / tileBlocks;
        float[] tiles = threadTiles(bandTiles);
        int groups = bandTaps.length;
        int groupFloats = BlockedMicroKernel.GROUP * nc;
        int later = laterSlice(tiles);
        int runFloats = PR * ChannelBlocks.BLOCK;
        float read = 0;
        for (int panel = 0; panel < panels; panel++) {
            int aBase = panel * k * nc;
            for (int g0 = 0; g0 < groups; g0 += SLICE_GROUPS) {
                int g1 = Math.min(groups, g0 + SLICE_GROUPS);
                read += SliceReader.read(packed, aBase + g0 * groupFloats, aBase + g1 * groupFloats);
                for (int tile = 0; tile < bandTiles; tile++) {
                    int run = tile * tileBlocks;
                    int count = Math.min(tileBlocks, runs - run);
                    int first = run * runFloats;
                    int t = tile * tileFloats;
                    int sums = g0 == 0 ? t : later;
                    boolean half = !oneBlock && count == 1;
                    if (oneBlock) {
                        // runs past the band's last repeat its first: summed, never stored
                        int second = count > 1 ? first + runFloats : first;
                        int third = count > 2 ? first + 2 * runFloats : first;
                        int fourth = count > 3 ? first + 3 * runFloats : first;
                        OneBlockMicroKernel.unitStep(packed, aBase, band, first, second, third, fourth, bandTaps, g0, g1, tiles, sums);
                    } else if (half) {
                        BlockedMicroKernel.unitRun(packed, aBase, band, first, bandTaps, g0, g1, tiles, sums);
                    } else {
                        BlockedMicroKernel.unitStep(packed, aBase, band, first, first + runFloats, bandTaps, g0, g1, tiles, sums);
                    }
                    if (g0 > 0) {
                        BlockedMicroKernel.addTile(tiles, later, t, half ? PR * nc : tileFloats);
                    }
                    if (g1 == groups) {
                        finishBlocks(panel, sample, pixel0 / PR + run, count, t, tiles);
                    }
                }
            }
        }
        tiles[tiles.length - 1] = read;
    }

    /**
     * Whether a batch of {@code n} reads the next tile's input ahead, from a blocked input read in place. A
     * layer of one weight panel (at most 32 output channels) does from {@link #TOUCH_AHEAD_BYTES} of input:
     * it reads each input line once, for few multiply-adds (MobileNet v2's first projection, 32 to 16
     * channels: 32 a pixel), so the input streams from memory, and the hardware's prefetchers did not keep
     * ahead of the tiles. A 1x1 layer of several panels does up to {@link #SHARED_INPUT_BYTES}: each of its
     * tasks reads every pixel's input, which the layer before wrote split by channels (a depthwise layer by
     * channel blocks, a 1x1 layer by panels), so half of it lies in the other core's cache, where each tile's
     * first panel would meet its lines one broadcast at a time. Read ahead, MobileNet v1 ran 1.1% faster at
     * batch 1 and v2 half a percent ({@code CompareBuilds} in both orders). Over larger inputs the tiles of
     * several panels find their input in L2 after the first panel, and reading ahead only added loads
     * (MobileNet v2 at batch 16 lost 1 to 3%, v1 about 1%).
     */
    boolean touchesAhead(int n) {
        long bytes = (long) n * inSampleFloats * Float.BYTES;
        if (!grouped || copies()) {
            return false;
        }
        return panels == 1 ? bytes >= TOUCH_AHEAD_BYTES : source == Source.BLOCKED_FLAT && bytes <= SHARED_INPUT_BYTES;
    }

    /**
     * Reads one float of every input line that tile {@code tile} reads in groups [g0, g1), and returns their
     * sum, kept so that the reads stay: the tile's misses are in flight together while the tile before
     * computes, instead of each stalling the kernel in turn.
     */
    private float touchAhead(int tile, int g0, int g1) {
        int sample = callSample + tile / tileCount;
        int block = tile % tileCount * tileBlocks;
        float sum = 0;
        for (int run = block; run < Math.min(blocks, block + tileBlocks); run++) {
            int at = inputOffset(sample, run);
            for (int group = g0; group < g1; group++) {
                int from = at + taps[group];
                for (int p = 0; p < PR; p++) {
                    sum += callPlanes[from + p * pixelStep];
                }
            }
        }
        return sum;
    }

    /**
     * The sums of tiles [first, last) on {@link NarrowMicroKernel}, in slices of {@link #KB} steps. A last
     * tile with one run sums that run twice and stores it once.
     */
    private void narrowSums(int panel, int first, int last, float[] tiles) {
        int later = laterSlice(tiles);
        float read = 0;
        float[] planes = planes();
        for (int k0 = 0; k0 < k; k0 += KB) {
            int k1 = Math.min(k, k0 + KB);
            read += SliceReader.read(packed, (panel * k + k0) * nc, (panel * k + k1) * nc);
            for (int tile = first; tile < last; tile++) {
                int sample = callSample + tile / tileCount;
                int block = tile % tileCount * tileBlocks;
                int second = block + 1 == blocks ? block : block + 1;
                int t = (tile - first) * tileFloats;
                int sums = k0 == 0 ? t : later;
                float[] source = planes;
                int[] tapTable = taps;
                int firstRun;
                int secondRun;
                if (border != null && !(border.inside(block) && border.inside(second))) {
                    source = patches.get();
                    tapTable = border.patchTaps;
                    firstRun = 0;
                    secondRun = border.patchFloats;
                    border.fill(callIn, sample * inSampleFloats, block, source, firstRun);
                    border.fill(callIn, sample * inSampleFloats, second, source, secondRun);
                } else {
                    firstRun = inputOffset(sample, block);
                    secondRun = inputOffset(sample, second);
                }
                if (pixelStep == 2) {
                    NarrowMicroKernel.twoRunsByTwo(packed, panel * k * nc, source, firstRun, secondRun, tapTable, k0, k1, tiles, sums);
                } else {
                    NarrowMicroKernel.twoRuns(packed, panel * k * nc, source, firstRun, secondRun, tapTable, k0, k1, tiles, sums);
                }
                if (k0 > 0) {
                    BlockedMicroKernel.addTile(tiles, later, t, tileFloats);
                }
                if (k1 == k) {
                    finish(panel, sample, tile % tileCount, t, tiles);
                }
            }
        }
        tiles[tiles.length - 1] = read;
    }

    /**
     * The sums of tiles [first, last) on {@link RowMicroKernel}, in slices of whole groups of at most
     * {@link #ROW_SLICE_STEPS} steps. A last tile with one run sums that run twice and stores it once.
     */
    private void rowSums(int panel, int first, int last, float[] tiles) {
        int width = RowMicroKernel.WIDTH;
        int groups = taps.length;
        int sliceGroups = Math.max(1, ROW_SLICE_STEPS / width);
        int aBase = panel * k * nc;
        int later = laterSlice(tiles);
        float read = 0;
        float[] planes = planes();
        for (int g0 = 0; g0 < groups; g0 += sliceGroups) {
            int g1 = Math.min(groups, g0 + sliceGroups);
            read += SliceReader.read(packed, aBase + g0 * width * nc, aBase + g1 * width * nc);
            for (int tile = first; tile < last; tile++) {
                int sample = callSample + tile / tileCount;
                int block = tile % tileCount * tileBlocks;
                int firstRun = inputOffset(sample, block);
                int secondRun = block + 1 == blocks ? firstRun : inputOffset(sample, block + 1);
                int t = (tile - first) * tileFloats;
                RowMicroKernel.twoStep(packed, aBase, planes, firstRun, secondRun, taps, g0, g1, tiles, g0 == 0 ? t : later);
                if (g0 > 0) {
                    BlockedMicroKernel.addTile(tiles, later, t, tileFloats);
                }
                if (g1 == groups) {
                    finish(panel, sample, tile % tileCount, t, tiles);
                }
            }
        }
        tiles[tiles.length - 1] = read;
    }

    /** Where a pixel block of {@code sample}'s first pixel reads tap offset 0 (in the copy, when the input is copied). */
    private int inputOffset(int sample, int block) {
        int base = copies() ? 0 : sample * inSampleFloats;
        if (border != null) {
            return base + border.origin(block);
        }
        if (blocksPerRow == 0) {
            return base + block * PR * pixelStep;
        }
        return base + block / blocksPerRow * rowStep + block % blocksPerRow * PR * pixelStep;
    }

    /**
     * Pixels [0, valid) of a tile, channels from {@code channel0}, through the epilogue into NCHW: channel by
     * channel, so that the stores run along the output's rows. (Vectors across channels here needed gathers and
     * scatters at the channel stride, whose intrinsics C2 took or not depending on the profile; when not, a
     * pass allocated.)
     */
    private void epilogue(float[] tile, int t, int valid, int channel0, int pixel, int outBase, int residualBase) {
        Epilogue e = callEpilogue;
        float[] bias = e.bias() == null ? noBias : e.bias();
        channelsEpilogue(tile, t, valid, channel0, Math.min(nc, g.co() - channel0), pixel, bias, outBase, residualBase);
    }

    /** Pixels [0, valid) of a tile, channels from {@code channel0}, through the epilogue into {@link ChannelBlocks}. */
    private void blockedEpilogue(float[] tile, int t, int valid, int channel0, int pixel, int outBase, int residualBase) {
        Epilogue e = callEpilogue;
        if (e.residual() == null && !e.accumulate() && !e.leaky()) {
            clampedEpilogue(tile, t, valid, channel0, pixel, outBase, e.floor(), e.ceiling());
            return;
        }
        float[] bias = callBias;
        float[] residual = e.residual();
        int[] residualAt = residualPixel;
        for (int v = 0; v < nc && channel0 + v < g.co(); v += L) {
            int channel = channel0 + v;
            FloatVector b = FloatVector.fromArray(S, bias, channel);
            boolean padding = channel + L > g.co();
            VectorMask<Float> real = S.indexInRange(channel, g.co());
            int plane = outBase + channel / L * outPlane;
            int r = residualBase + channel / L * residualPlane;
            for (int i = 0; i < valid; i++) {
                int at = plane + outPixel[pixel + i];
                FloatVector x = FloatVector.fromArray(S, tile, t + i * nc + v).add(b);
                if (residual != null) {
                    x = x.add(FloatVector.fromArray(S, residual, r + residualAt[pixel + i]));
                }
                if (e.accumulate()) {
                    x = x.add(FloatVector.fromArray(S, callOut, at));
                }
                if (e.leaky()) {
                    x = x.blend(x.mul(e.slope()), x.lt(0f));
                } else if (e.clamps()) {
                    x = x.blend(0f, x.lt(0f));
                    if (e.capped()) {
                        x = x.blend(Epilogue.CAP, x.compare(VectorOperators.GT, Epilogue.CAP));
                    }
                }
                if (padding) {
                    x = x.blend(0f, real.not()); // zeros, whatever the input held
                }
                x.intoArray(callOut, at);
            }
        }
    }

    /**
     * {@link #blockedEpilogue} where nothing is added but the bias and the activation clamps or does nothing (ReLU,
     * ReLU6, none): the bias and two blends between bounds (infinite for none, which then change nothing) in one
     * loop without branches, so the values are the general loop's. A stem's reduction is short (27 steps), and its
     * tiles' general epilogue took 20% of its time.
     */
    private void clampedEpilogue(float[] tile, int t, int valid, int channel0, int pixel, int outBase, float lo, float hi) {
        float[] bias = callBias;
        float[] out = callOut;
        int[] at = outPixel;
        FloatVector low = FloatVector.broadcast(S, lo);
        FloatVector high = FloatVector.broadcast(S, hi);
        for (int v = 0; v < nc && channel0 + v < g.co(); v += L) {
            int channel = channel0 + v;
            FloatVector b = FloatVector.fromArray(S, bias, channel);
            // a padded block's lanes past the last channel: zeros, whatever the tile held
            VectorMask<Float> real = S.indexInRange(channel, g.co());
            int plane = outBase + channel / L * outPlane;
            for (int i = 0; i < valid; i++) {
                FloatVector x = FloatVector.fromArray(S, tile, t + i * nc + v).add(b);
                x = x.blend(low, x.lt(low)).blend(high, x.compare(VectorOperators.GT, high));
                x.blend(0f, real.not()).intoArray(out, plane + at[pixel + i]);
            }
        }
    }

    /** Channels [channel, channel + count) of pixels [0, valid) of a tile (its lanes from t), one output row at a time, into NCHW. */
    private void channelsEpilogue(float[] tile, int t, int valid, int channel, int count, int pixel, float[] bias, int outBase,
            int residualBase) {
        Epilogue e = callEpilogue;
        int positions = g.positions();
        for (int lane = 0; lane < count; lane++) {
            for (int i = 0; i < valid; i++) {
                int at = (channel + lane) * positions + pixel + i;
                float x = tile[t + i * nc + lane] + bias[channel + lane];
                if (e.residual() != null) {
                    x += e.residual()[residualBase + at];
                }
                if (e.accumulate()) {
                    x += callOut[outBase + at];
                }
                callOut[outBase + at] = e.activation().apply(x, e.slope());
            }
        }
    }
}
