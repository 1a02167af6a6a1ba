package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 1x1 convolution that expands the channels and the depthwise convolution that reads its output, as
 * in MobileNet v2's and EfficientNet's inverted residual blocks, run together on {@link ChannelBlocks}
 * tensors: the expanded tensor, the largest of the block, never goes to memory. A task takes a run of
 * output rows of some channel blocks of one sample, in bands of a few rows. For each band it expands
 * the input rows the band's windows read into a thread's band buffer, which stays in L2 (rows the
 * previous band already holds are moved up, not computed again), then runs the depthwise convolution
 * from the buffer into the output.
 *
 * <p>The band buffer keeps the depthwise layer's zero padding around the expanded rows (per channel
 * block a plane of the band's rows by {@link #bandWidth} pixels), so every tap reads a value
 * and no pixel needs edge handling. The expanded values are the unfused layer's, bit for bit: each sum
 * runs over the input channels in the slices {@link ChannelVectorConv} takes (128 channels of a blocked
 * input at AVX-512), each slice in order from zero and added to the slices before it, then takes the
 * bias and the activation; a slice's weights stay in L1 while every tile of the band reads them
 * (MobileNet v1's 256-channel 1x1 layers). The depthwise sums start from the bias and take the taps in
 * order, a padding tap adding a zero.
 *
 * <p>The 1x1 layer after the pair (the block's projection) may run inside it too ({@link #runProjected}):
 * a task then takes every channel block of its rows, each band's depthwise output goes to a second
 * thread buffer, and {@link ChannelVectorConv#bandSums} projects it from there with its own tiles, so
 * the depthwise tensor never goes to memory either. A depthwise layer without an expand before it
 * ({@link #ofDepthwise}, MobileNet v2's first block) runs the same way, its input rows copied into the
 * band buffer.
 */
public final class ExpandDepthwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Pixels of an expand tile. */
    private static final int PX = 8;
    /** Channel blocks of an expand tile: 3 vectors by 8 pixels, 24 accumulators. */
    private static final int CB = 3;
    /**
     * Pixels and channel blocks of the other expand tile, for an expanded tensor of a multiple of four blocks
     * but not of three (MobileNet v1's 64, 128 and 256 channels): 4 vectors by 6 pixels, 24 accumulators, which
     * leaves no block to the one-block tile, whose 8 broadcasts feed only 8 FMAs a step.
     */
    private static final int PX4 = 6;
    private static final int CB4 = 4;
    /**
     * Pixels and channel blocks of the expand tile for 16 vector registers ({@link VectorRegisters}): 2 vectors by 5 pixels,
     * 10 accumulators. The 24 of the others spill there, and so do 12 (4 x 3, 6 x 2), with the broadcasts C2 loads ahead: alone
     * at -XX:UseAVX=2 this tile ran at 42 GFLOP/s against 24 to 27 for those.
     */
    private static final int PX2 = 5;
    private static final int CB2 = 2;
    /** Output pixels a depthwise step computes together ({@link BlockedDepthwise#fourPixels}). */
    private static final int DW_PX = 4;
    /** Floats a band buffer may take (384 KiB): it stays in L2 beside the input and output rows a band touches. */
    private static final int BAND_FLOATS = 96 * 1024;
    /** Each thread's band buffer, shared by every fused layer (a thread runs one task at a time). */
    private static final ThreadLocal<float[]> BANDS = ThreadLocal.withInitial(() -> new float[0]);
    /** Each thread's depthwise output of a band, every channel block, when a projection follows ({@link #runProjected}). */
    private static final ThreadLocal<float[]> DEPTHWISE_BANDS = ThreadLocal.withInitial(() -> new float[0]);
    /** Each thread's copy of an NCHW input's rows, in blocks. */
    private static final ThreadLocal<float[]> COPIES = ThreadLocal.withInitial(() -> new float[0]);
    /** Each thread's offsets of an expand tile's pixels in the band buffer. */
    private static final ThreadLocal<int[]> TARGETS = ThreadLocal.withInitial(() -> new int[PX]);
    /**
     * Each thread's room for a tile's sums on their way to the band buffer: a later slice's, added to what is there, or a band's
     * last tile's, of which only the pixels the tile before it did not sum leave.
     */
    private static final ThreadLocal<float[]> TILE_SUMS = ThreadLocal.withInitial(() -> new float[Math.max(PX * CB, PX4 * CB4) * L]);

    /** The expand's geometry; null for a depthwise layer alone, whose blocked input rows are copied into the band buffer. */
    private final ConvGeometry expand;
    private final ConvGeometry depthwise;
    /** [ce / L][ci][L]. */
    private final float[] expandWeight;
    /** [ce / L][kh * kw][L]. */
    private final float[] depthwiseWeight;
    private final float[] expandBias;
    private final float[] depthwiseBias;
    private final Epilogue expandEpilogue;
    private final Epilogue depthwiseEpilogue;
    /** Whether the input is blocked; an NCHW input's rows are copied into blocks, a band at a time, for the same tiles. */
    private final boolean blockedIn;
    /** Floats of a sample of the input: a blocked one's last block may be padded ({@link ChannelBlocks#padded}). */
    private final int inSampleFloats;
    /** Each input channel's offset from its pixel 0 in a sample of the blocked input. */
    private final int[] channelOffsets;
    /** The same in the copy of an NCHW input's rows, whose channel blocks are {@link #callCopyPixels} pixels long. */
    private final int[] copyOffsets;
    private int callCopyPixels;
    /** Channel blocks of the expanded tensor. */
    private final int blocks;
    /** Pixels of a band buffer's row: the expanded row inside the depthwise window's padding. */
    private final int bandWidth;
    /** Whether the depthwise layer is 3x3 at stride 1 or 2 on rows of at least 7 pixels, for {@link DepthwiseMicroKernel}'s tile. */
    private final boolean sevenPixelTiles;
    /** Channel blocks of this pair's expand tile, {@link #CB}, {@link #CB4} or {@link #CB2}, by which a task's channel blocks are grouped. */
    private final int tileBlocks;

    private float[] callIn;
    private float[] callOut;
    /** The 1x1 layer that reads the depthwise output a band at a time, or null: the output goes to {@link #callOut}. */
    private ChannelVectorConv callProjection;
    /** Floats of one channel block's plane in a depthwise band: the band's output rows. */
    private int callDepthwisePlane;
    // How a call splits its work (see run): channel groups of a sample, runs of output rows, bands.
    private int callGroups;
    private int callGroupBlocks;
    private int callSegments;
    private int callBandRows;
    /** Floats of one channel block's plane in the band buffer: rows read by a band, by {@link #bandWidth} pixels. */
    private int callPlane;
    private final IntConsumer task;

    /**
     * Whether the pair can run fused: a 1x1 stride-1 convolution between blocked tensors, and a depthwise
     * convolution of dilation 1 on its whole output, both with activations the kernel computes inline.
     */
    public static boolean handles(ConvGeometry expand, Activation expandActivation, ConvGeometry depthwise, Activation depthwiseActivation) {
        return expand.isPointwise() && expand.groups() == 1 && ChannelBlocks.fits(expand.co())
                && depthwise.isDepthwise() && depthwise.ci() == expand.co() && depthwise.ih() == expand.oh() && depthwise.iw() == expand.ow()
                && depthwise.dh() == 1 && depthwise.dw() == 1 && VectorActivations.isCheap(expandActivation)
                && VectorActivations.isCheap(depthwiseActivation);
    }

    /**
     * {@code expandWeight} is ce x ci, {@code depthwiseWeight} ce x 1 x kh x kw; the epilogues add no
     * residual. The input is blocked, its last block padded when the channels do not fill it (MobileNet
     * v2's 24-channel tensors: only the channels themselves are read), or NCHW; the output is blocked.
     */
    public ExpandDepthwise(ConvGeometry expand, float[] expandWeight, Epilogue expandEpilogue, ConvGeometry depthwise, float[] depthwiseWeight,
            Epilogue depthwiseEpilogue, boolean blockedIn) {
        if (!handles(expand, expandEpilogue.activation(), depthwise, depthwiseEpilogue.activation()) || expandEpilogue.residual() != null
                || depthwiseEpilogue.residual() != null || expandEpilogue.accumulate() || depthwiseEpilogue.accumulate()) {
            throw new IllegalArgumentException("cannot fuse " + expand + " and " + depthwise);
        }
        this.expand = expand;
        this.depthwise = depthwise;
        this.blocks = expand.co() / L;
        int ci = expand.ci();
        this.blockedIn = blockedIn;
        this.inSampleFloats = blockedIn ? ChannelBlocks.sampleFloats(ci, expand.positions()) : expand.inputSize();
        this.channelOffsets = new int[ci];
        for (int c = 0; c < ci; c++) {
            channelOffsets[c] = c / L * expand.positions() * L + c % L;
        }
        this.copyOffsets = new int[ci];
        this.expandWeight = ChannelVectorConv.pack(expand, expandWeight, L); // [ce / L][ci][L]
        this.depthwiseWeight = BlockedDepthwise.pack(depthwise, depthwiseWeight);
        this.expandBias = expandEpilogue.bias() == null ? new float[expand.co()] : expandEpilogue.bias().clone();
        this.depthwiseBias = depthwiseEpilogue.bias() == null ? new float[depthwise.co()] : depthwiseEpilogue.bias().clone();
        this.expandEpilogue = expandEpilogue;
        this.depthwiseEpilogue = depthwiseEpilogue;
        this.sevenPixelTiles = sevenPixelTiles(depthwise);
        this.bandWidth = bandWidth(depthwise);
        this.tileBlocks = VectorRegisters.few() ? CB2 : blocks % CB != 0 && blocks % CB4 == 0 ? CB4 : CB;
        this.task = this::task;
    }

    /**
     * A depthwise layer alone, from and to blocked tensors, for {@link #runProjected} only: its input rows
     * are copied into the band buffer, and its weights are {@code kernel}'s, already packed.
     */
    public static ExpandDepthwise ofDepthwise(BlockedDepthwise kernel, Epilogue epilogue) {
        return new ExpandDepthwise(kernel.geometry(), kernel.packedWeight(), epilogue);
    }

    private ExpandDepthwise(ConvGeometry depthwise, float[] packedWeight, Epilogue epilogue) {
        if (!BlockedDepthwise.handles(depthwise, epilogue.activation()) || epilogue.residual() != null || epilogue.accumulate()) {
            throw new IllegalArgumentException("cannot run " + depthwise + " in bands");
        }
        this.expand = null;
        this.depthwise = depthwise;
        this.blocks = depthwise.ci() / L;
        this.blockedIn = true;
        this.inSampleFloats = depthwise.inputSize();
        this.channelOffsets = new int[0];
        this.copyOffsets = new int[0];
        this.expandWeight = null;
        this.depthwiseWeight = packedWeight;
        this.expandBias = null;
        this.depthwiseBias = epilogue.bias() == null ? new float[depthwise.co()] : epilogue.bias().clone();
        this.expandEpilogue = null;
        this.depthwiseEpilogue = epilogue;
        this.sevenPixelTiles = sevenPixelTiles(depthwise);
        this.bandWidth = bandWidth(depthwise);
        this.tileBlocks = VectorRegisters.few() ? CB2 : CB;
        this.task = this::task;
    }

    /** Whether the depthwise layer is 3x3 at stride 1 or 2 on rows of at least 7 pixels, for {@link DepthwiseMicroKernel}'s tile. */
    private static boolean sevenPixelTiles(ConvGeometry depthwise) {
        return depthwise.kh() == DepthwiseMicroKernel.SIDE && depthwise.kw() == DepthwiseMicroKernel.SIDE && depthwise.sh() == depthwise.sw()
                && depthwise.sw() <= 2 && depthwise.ow() >= DepthwiseMicroKernel.PIXELS;
    }

    /** Pixels of a band buffer's row: an input row inside the window's padding, and as far as the last window reaches. */
    private static int bandWidth(ConvGeometry depthwise) {
        return Math.max(depthwise.pl() + depthwise.iw(), (depthwise.ow() - 1) * depthwise.sw() + depthwise.kw());
    }

    /** Rows of expanded input that {@code outputRows} consecutive output rows read. */
    private int rowsRead(int outputRows) {
        return (outputRows - 1) * depthwise.sh() + depthwise.kh();
    }

    /**
     * Runs both layers on {@code n} samples: {@code in} is the expand's input (blocked or NCHW, as the
     * kernel was made for), {@code out} the depthwise's blocked output. A batch of fewer samples than threads
     * is cut into one run of output rows a thread ({@link #rowRunsPerSample}). Up to twice the threads, each
     * sample is cut into groups of channel blocks, which share nothing but the input (up to four tasks a
     * thread), then into runs of rows, each of which computes the expanded rows above it again (up to two
     * tasks a thread in all).
     */
    public void run(Workers workers, float[] in, float[] out, int n) {
        callIn = in;
        callOut = out;
        callProjection = null;
        if (n < workers.threads()) {
            split(n, 1, rowRunsPerSample(workers, n));
        } else {
            int perSample = tasksPerSample(workers, n);
            split(n, Math.max(1, Math.min(2 * perSample, blocks / tileBlocks)), perSample);
        }
        workers.parallelFor(n * callGroups * callSegments, task);
    }

    /**
     * Whether {@code projection}, a 1x1 layer that reads this pair's depthwise output, can run with it
     * ({@link #runProjected}): it takes its input a band of rows at a time ({@link ChannelVectorConv#readsBands}).
     */
    public boolean canProject(ConvGeometry projection, ChannelVectorConv kernel) {
        return projection.ci() == depthwise.co() && projection.ih() == depthwise.oh() && projection.iw() == depthwise.ow()
                && kernel.readsBands();
    }

    /**
     * Runs both layers and the 1x1 layer after them (an inverted residual block's projection) on {@code n}
     * samples: each band's depthwise output, every channel block of it, goes to a thread's buffer, from which
     * {@code projection} writes its rows of {@code out} (a sample at {@code slice}) through epilogue {@code e}.
     * The depthwise tensor never goes to memory either. A task takes every channel block of a run of rows,
     * since a projected pixel reads them all; a sample is cut into up to four runs where the batch is small.
     */
    public void runProjected(Workers workers, float[] in, ChannelVectorConv projection, float[] out, OutputSlice slice, Epilogue e, int n) {
        callIn = in;
        callOut = null;
        callProjection = projection;
        split(n, 1, n < workers.threads() ? rowRunsPerSample(workers, n) : tasksPerSample(workers, n));
        projection.beginBands(out, slice, e, callDepthwisePlane);
        workers.parallelFor(n * callGroups * callSegments, task);
    }

    /** Tasks a sample is cut into, two a thread in all. */
    private static int tasksPerSample(Workers workers, int n) {
        return Math.max(1, (2 * workers.threads() + n - 1) / n);
    }

    /**
     * Runs of rows a sample is cut into where the batch has fewer samples than threads: one a thread, so that
     * each core keeps to the rows that the layers before and after it wrote or read there. At batch 1, cut by
     * channel groups (every task reading all of the input, half of it from the other core's cache) or into
     * four runs (more expanded rows computed twice), MobileNet v1 and v2 took 5 and 8% longer.
     */
    private static int rowRunsPerSample(Workers workers, int n) {
        return (workers.threads() + n - 1) / n;
    }

    /**
     * Settles how a call of {@code n} samples splits its work: channel blocks into at most {@code groups} groups,
     * each sample into {@code perSample} tasks (runs of rows across the groups), runs into bands.
     */
    private void split(int n, int groups, int perSample) {
        callGroupBlocks = ((blocks + groups - 1) / groups + tileBlocks - 1) / tileBlocks * tileBlocks; // whole tiles
        callGroups = (blocks + callGroupBlocks - 1) / callGroupBlocks;
        callSegments = Math.min(depthwise.oh(), (perSample + callGroups - 1) / callGroups);
        int rowFloats = Math.min(blocks, callGroupBlocks) * L * bandWidth;
        // a projected band's depthwise rows share the budget
        int outputRowFloats = callProjection == null ? 0 : blocks * L * depthwise.ow();
        int rows = 1;
        while (rows < depthwise.oh() && rowsRead(rows + 1) * rowFloats + (rows + 1) * outputRowFloats <= BAND_FLOATS) {
            rows++;
        }
        callBandRows = rows;
        callDepthwisePlane = rows * depthwise.ow() * L;
        callPlane = rowsRead(rows) * bandWidth * L;
        callCopyPixels = rowsRead(rows) * depthwise.iw();
        for (int c = 0; c < copyOffsets.length; c++) {
            copyOffsets[c] = c / L * callCopyPixels * L + c % L;
        }
    }

    /** Output rows [y0, y1) of one sample's channel blocks [cb0, cb1), band after band. */
    private void task(int index) {
        // runs of rows first: the workers take tasks from both ends, so each keeps to the rows the layers
        // before and after it read or write on the same core (the 1x1 layers' tasks go pixel group first)
        int sample = index / (callGroups * callSegments);
        int part = index / callGroups % callSegments;
        int group = index % callGroups;
        int cb0 = group * callGroupBlocks;
        int cb1 = Math.min(blocks, cb0 + callGroupBlocks);
        int y0 = part * depthwise.oh() / callSegments;
        int y1 = (part + 1) * depthwise.oh() / callSegments;
        int floats = (cb1 - cb0) * callPlane;
        float[] band = threadArray(BANDS, floats);
        zeroPadding(band, cb1 - cb0);
        float[] projected = callProjection == null ? null : threadArray(DEPTHWISE_BANDS, blocks * callDepthwisePlane);
        int inBase = sample * inSampleFloats;
        int outBase = sample * depthwise.outputSize();
        int held = 0; // the first input row the buffer holds, and how many
        int heldRows = 0;
        for (int y = y0; y < y1; y += callBandRows) {
            int rows = Math.min(callBandRows, y1 - y);
            int first = y * depthwise.sh() - depthwise.pt();
            int height = rowsRead(rows);
            int kept = 0;
            if (heldRows > 0 && first >= held && first < held + heldRows) {
                kept = held + heldRows - first;
                moveUp(band, cb1 - cb0, first - held, kept);
            }
            expandRows(band, cb0, cb1, inBase, first, kept, height);
            held = first;
            heldRows = height;
            for (int cb = cb0; cb < cb1; cb++) {
                for (int r = 0; r < rows; r++) {
                    if (projected == null) {
                        depthwiseRow(band, cb, cb - cb0, r, callOut, outBase + (cb * depthwise.positions() + (y + r) * depthwise.ow()) * L);
                    } else {
                        depthwiseRow(band, cb, cb - cb0, r, projected, cb * callDepthwisePlane + r * depthwise.ow() * L);
                    }
                }
            }
            if (projected != null) {
                callProjection.bandSums(projected, sample, y * depthwise.ow(), rows * depthwise.ow());
            }
        }
    }

    /** The calling thread's array of {@code arrays}, at least {@code floats} long: grown once for a larger call, then kept. */
    private static float[] threadArray(ThreadLocal<float[]> arrays, int floats) {
        float[] array = arrays.get();
        if (array.length < floats) {
            array = new float[floats];
            arrays.set(array);
        }
        return array;
    }

    /**
     * Zeros in the padding columns of the band buffer's first {@code planes} planes. Nothing writes them
     * but this, so they stay zero for the task; the rows in between are all written before they are read.
     */
    private void zeroPadding(float[] band, int planes) {
        int rowFloats = bandWidth * L;
        int left = depthwise.pl() * L;
        int right = left + depthwise.iw() * L;
        for (int row = 0; row < planes * callPlane; row += rowFloats) {
            Arrays.fill(band, row, row + left, 0f);
            Arrays.fill(band, row + right, row + rowFloats, 0f);
        }
    }

    /** Rows [from, from + count) of the band buffer's first {@code planes} planes to their top. */
    private void moveUp(float[] band, int planes, int from, int count) {
        int rowFloats = bandWidth * L;
        for (int slot = 0; slot < planes; slot++) {
            System.arraycopy(band, slot * callPlane + from * rowFloats, band, slot * callPlane, count * rowFloats);
        }
    }

    /**
     * Band rows [kept, height) of channel blocks [cb0, cb1), input rows first + kept onwards: the expanded
     * rows inside the input, zeros for rows in the padding above and below. Each tile of three blocks' weights
     * stays in L1 while it runs over the band's pixels.
     */
    private void expandRows(float[] band, int cb0, int cb1, int inBase, int first, int kept, int height) {
        int rowFloats = bandWidth * L;
        int left = depthwise.pl() * L;
        int inside0 = Math.max(first + kept, 0);
        int inside1 = Math.min(first + height, depthwise.ih());
        for (int r = kept; r < height; r++) {
            int row = first + r;
            if (row < inside0 || row >= inside1) {
                for (int slot = 0; slot < cb1 - cb0; slot++) {
                    int at = slot * callPlane + r * rowFloats + left;
                    Arrays.fill(band, at, at + depthwise.iw() * L, 0f);
                }
            }
        }
        if (inside1 <= inside0) {
            return;
        }
        if (expand == null) {
            copyBlockRows(band, cb0, cb1, inBase, first, inside0, inside1);
            return;
        }
        int width = expand.ow();
        int p0 = inside0 * width;
        int pixels = (inside1 - inside0) * width;
        int[] to = targets(pixels);
        int col = 0;
        int row = inside0;
        for (int i = 0; i < pixels; i++) { // each pixel's offset in a plane: a tile's pixels may run on into the next row
            to[i] = ((row - first) * bandWidth + col) * L + left;
            if (++col == width) {
                col = 0;
                row++;
            }
        }
        float[] x = callIn;
        int at = inBase + p0 * L;
        int[] offsets = channelOffsets;
        if (!blockedIn) {
            x = copyRows(inBase + p0, pixels);
            at = 0;
            offsets = copyOffsets;
        }
        // whole tiles, the last one moved back over pixels the one before it summed (only its own leave), a pixel at a time only
        // below 8. The input channels in slices, as the unfused kernel sums them: a slice's weights stay in L1 across the tiles.
        int tiles = pixels < PX ? 0 : (pixels + PX - 1) / PX;
        float[] sums = TILE_SUMS.get();
        int ci = expand.ci();
        int slice = blockedIn ? ChannelVectorConv.SLICE_GROUPS * ChannelBlocks.BLOCK : ChannelVectorConv.KB;
        for (int c0 = 0; c0 < ci; c0 += slice) {
            int c1 = Math.min(ci, c0 + slice);
            int cb = cb0;
            if (tileBlocks == CB2 && tiles > 0) {
                int tiles2 = (pixels + PX2 - 1) / PX2;
                for (; cb + CB2 <= cb1; cb += CB2) {
                    for (int tile = 0; tile < tiles2; tile++) {
                        int i = Math.min(tile * PX2, pixels - PX2);
                        expand5x2(band, x, at + i * L, offsets, c0, c1, cb, cb - cb0, to, i, tile * PX2 - i, sums);
                    }
                }
            }
            if (tileBlocks == CB4 && tiles > 0) {
                int tiles4 = (pixels + PX4 - 1) / PX4;
                for (; cb + CB4 <= cb1; cb += CB4) {
                    for (int tile = 0; tile < tiles4; tile++) {
                        int i = Math.min(tile * PX4, pixels - PX4);
                        expand6x4(band, x, at + i * L, offsets, c0, c1, cb, cb - cb0, to, i, tile * PX4 - i, sums);
                    }
                }
            }
            for (; cb + CB <= cb1; cb += CB) {
                for (int tile = 0; tile < tiles; tile++) {
                    int i = Math.min(tile * PX, pixels - PX);
                    expand8x3(band, x, at + i * L, offsets, c0, c1, cb, cb - cb0, to, i, tile * PX - i, sums);
                }
            }
            for (; cb < cb1; cb++) {
                for (int tile = 0; tile < tiles; tile++) {
                    int i = Math.min(tile * PX, pixels - PX);
                    expand8x1(band, x, at + i * L, offsets, c0, c1, cb, cb - cb0, to, i, tile * PX - i, sums);
                }
            }
            for (int i = tiles * PX; i < pixels; i++) {
                for (cb = cb0; cb < cb1; cb++) {
                    expandPixel(band, x, at + i * L, offsets, c0, c1, cb, cb - cb0, to[i]);
                }
            }
        }
        for (int r = inside0 - first; r < inside1 - first; r++) {
            for (int cb = cb0; cb < cb1; cb++) {
                int from = (cb - cb0) * callPlane + r * rowFloats + left;
                finishExpanded(band, from, from + width * L, cb);
            }
        }
    }

    /** Input rows [inside0, inside1) of channel blocks [cb0, cb1) of a blocked sample (a depthwise layer alone) into the band buffer. */
    private void copyBlockRows(float[] band, int cb0, int cb1, int inBase, int first, int inside0, int inside1) {
        int rowFloats = bandWidth * L;
        int left = depthwise.pl() * L;
        int iw = depthwise.iw();
        for (int cb = cb0; cb < cb1; cb++) {
            int plane = inBase + cb * depthwise.ih() * iw * L;
            for (int row = inside0; row < inside1; row++) {
                System.arraycopy(callIn, plane + row * iw * L, band, (cb - cb0) * callPlane + (row - first) * rowFloats + left, iw * L);
            }
        }
    }

    /**
     * Pixels [from, from + pixels) of every channel of an NCHW sample (from its pixel 0 at {@code from} in
     * the input) into a thread's copy in blocks, channel c at {@link #copyOffsets}[c] from pixel 0.
     */
    private float[] copyRows(int from, int pixels) {
        int ci = expand.ci();
        int floats = (ci + L - 1) / L * callCopyPixels * L;
        float[] copy = threadArray(COPIES, floats);
        int positions = expand.positions();
        for (int c = 0; c < ci; c++) {
            int src = from + c * positions;
            int dst = copyOffsets[c];
            for (int p = 0; p < pixels; p++) {
                copy[dst + p * L] = callIn[src + p];
            }
        }
        return copy;
    }

    /** A thread's array for the offsets of {@code pixels} pixels. */
    private static int[] targets(int pixels) {
        int[] to = TARGETS.get();
        if (to.length < pixels) {
            to = new int[pixels];
            TARGETS.set(to);
        }
        return to;
    }

    /**
     * Sums over input channels [c0, c1) of 8 input pixels (from {@code at} in x, L floats apart, channel c at offsets[c] from them) by
     * channel blocks cb..cb+2, into the band buffer's planes slot..slot+2 at the pixels' offsets to[t..t+7]: stored for the first
     * slice of channels, added to what the earlier slices stored for a later one. The first {@code done} pixels, which the tile before
     * summed, are left as they are (a band's last tile only). Those two cases leave through {@code sums}.
     */
    private void expand8x3(float[] band, float[] x, int at, int[] offsets, int c0, int c1, int cb, int slot, int[] to, int t, int done,
            float[] sums) {
        int ci = expand.ci();
        int w0 = cb * ci * L;
        int w1 = w0 + ci * L;
        int w2 = w1 + ci * L;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00, c06 = c00, c07 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00, c16 = c00, c17 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c24 = c00, c25 = c00, c26 = c00, c27 = c00;
        for (int c = c0; c < c1; c++) {
            int i = at + offsets[c];
            FloatVector a = FloatVector.fromArray(S, expandWeight, w0 + c * L);
            FloatVector b = FloatVector.fromArray(S, expandWeight, w1 + c * L);
            FloatVector d = FloatVector.fromArray(S, expandWeight, w2 + c * L);
            FloatVector v = FloatVector.broadcast(S, x[i]);
            c00 = a.fma(v, c00); c10 = b.fma(v, c10); c20 = d.fma(v, c20);
            v = FloatVector.broadcast(S, x[i + L]);
            c01 = a.fma(v, c01); c11 = b.fma(v, c11); c21 = d.fma(v, c21);
            v = FloatVector.broadcast(S, x[i + 2 * L]);
            c02 = a.fma(v, c02); c12 = b.fma(v, c12); c22 = d.fma(v, c22);
            v = FloatVector.broadcast(S, x[i + 3 * L]);
            c03 = a.fma(v, c03); c13 = b.fma(v, c13); c23 = d.fma(v, c23);
            v = FloatVector.broadcast(S, x[i + 4 * L]);
            c04 = a.fma(v, c04); c14 = b.fma(v, c14); c24 = d.fma(v, c24);
            v = FloatVector.broadcast(S, x[i + 5 * L]);
            c05 = a.fma(v, c05); c15 = b.fma(v, c15); c25 = d.fma(v, c25);
            v = FloatVector.broadcast(S, x[i + 6 * L]);
            c06 = a.fma(v, c06); c16 = b.fma(v, c16); c26 = d.fma(v, c26);
            v = FloatVector.broadcast(S, x[i + 7 * L]);
            c07 = a.fma(v, c07); c17 = b.fma(v, c17); c27 = d.fma(v, c27);
        }
        int p0 = slot * callPlane;
        int p1 = p0 + callPlane;
        int p2 = p1 + callPlane;
        if (done > 0 || c0 > 0) { // through a thread's buffer, so that the tile's code stays small (C2's arena, see BlockedMicroKernel)
            c00.intoArray(sums, 0); c10.intoArray(sums, L); c20.intoArray(sums, 2 * L);
            c01.intoArray(sums, 3 * L); c11.intoArray(sums, 4 * L); c21.intoArray(sums, 5 * L);
            c02.intoArray(sums, 6 * L); c12.intoArray(sums, 7 * L); c22.intoArray(sums, 8 * L);
            c03.intoArray(sums, 9 * L); c13.intoArray(sums, 10 * L); c23.intoArray(sums, 11 * L);
            c04.intoArray(sums, 12 * L); c14.intoArray(sums, 13 * L); c24.intoArray(sums, 14 * L);
            c05.intoArray(sums, 15 * L); c15.intoArray(sums, 16 * L); c25.intoArray(sums, 17 * L);
            c06.intoArray(sums, 18 * L); c16.intoArray(sums, 19 * L); c26.intoArray(sums, 20 * L);
            c07.intoArray(sums, 21 * L); c17.intoArray(sums, 22 * L); c27.intoArray(sums, 23 * L);
            leaveTile(band, sums, PX, CB, done, c0 > 0, p0, to, t);
            return;
        }
        c00.intoArray(band, p0 + to[t]); c10.intoArray(band, p1 + to[t]); c20.intoArray(band, p2 + to[t]);
        c01.intoArray(band, p0 + to[t + 1]); c11.intoArray(band, p1 + to[t + 1]); c21.intoArray(band, p2 + to[t + 1]);
        c02.intoArray(band, p0 + to[t + 2]); c12.intoArray(band, p1 + to[t + 2]); c22.intoArray(band, p2 + to[t + 2]);
        c03.intoArray(band, p0 + to[t + 3]); c13.intoArray(band, p1 + to[t + 3]); c23.intoArray(band, p2 + to[t + 3]);
        c04.intoArray(band, p0 + to[t + 4]); c14.intoArray(band, p1 + to[t + 4]); c24.intoArray(band, p2 + to[t + 4]);
        c05.intoArray(band, p0 + to[t + 5]); c15.intoArray(band, p1 + to[t + 5]); c25.intoArray(band, p2 + to[t + 5]);
        c06.intoArray(band, p0 + to[t + 6]); c16.intoArray(band, p1 + to[t + 6]); c26.intoArray(band, p2 + to[t + 6]);
        c07.intoArray(band, p0 + to[t + 7]); c17.intoArray(band, p1 + to[t + 7]); c27.intoArray(band, p2 + to[t + 7]);
    }

    /**
     * A tile's sums, held in {@code sums} as [pixel][block][L] for {@code pixels} pixels of {@code blocks} blocks: its pixels from
     * {@code done} on (a band's last tile leaves out those the tile before it did) into the band buffer's planes from p0, added to
     * what is there after the first slice of channels.
     */
    private void leaveTile(float[] band, float[] sums, int pixels, int blocks, int done, boolean add, int p0, int[] to, int t) {
        for (int j = done; j < pixels; j++) {
            for (int b = 0; b < blocks; b++) {
                int dst = p0 + b * callPlane + to[t + j];
                FloatVector v = FloatVector.fromArray(S, sums, (j * blocks + b) * L);
                if (add) {
                    v = v.add(FloatVector.fromArray(S, band, dst));
                }
                v.intoArray(band, dst);
            }
        }
    }

    /** As {@link #expand8x3}, for 6 pixels by channel blocks cb..cb+3 ({@link #CB4}). */
    private void expand6x4(float[] band, float[] x, int at, int[] offsets, int c0, int c1, int cb, int slot, int[] to, int t, int done,
            float[] sums) {
        int ci = expand.ci();
        int w0 = cb * ci * L;
        int w1 = w0 + ci * L;
        int w2 = w1 + ci * L;
        int w3 = w2 + ci * L;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c24 = c00, c25 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00, c34 = c00, c35 = c00;
        for (int c = c0; c < c1; c++) {
            int i = at + offsets[c];
            FloatVector a = FloatVector.fromArray(S, expandWeight, w0 + c * L);
            FloatVector b = FloatVector.fromArray(S, expandWeight, w1 + c * L);
            FloatVector d = FloatVector.fromArray(S, expandWeight, w2 + c * L);
            FloatVector e = FloatVector.fromArray(S, expandWeight, w3 + c * L);
            FloatVector v = FloatVector.broadcast(S, x[i]);
            c00 = a.fma(v, c00); c10 = b.fma(v, c10); c20 = d.fma(v, c20); c30 = e.fma(v, c30);
            v = FloatVector.broadcast(S, x[i + L]);
            c01 = a.fma(v, c01); c11 = b.fma(v, c11); c21 = d.fma(v, c21); c31 = e.fma(v, c31);
            v = FloatVector.broadcast(S, x[i + 2 * L]);
            c02 = a.fma(v, c02); c12 = b.fma(v, c12); c22 = d.fma(v, c22); c32 = e.fma(v, c32);
            v = FloatVector.broadcast(S, x[i + 3 * L]);
            c03 = a.fma(v, c03); c13 = b.fma(v, c13); c23 = d.fma(v, c23); c33 = e.fma(v, c33);
            v = FloatVector.broadcast(S, x[i + 4 * L]);
            c04 = a.fma(v, c04); c14 = b.fma(v, c14); c24 = d.fma(v, c24); c34 = e.fma(v, c34);
            v = FloatVector.broadcast(S, x[i + 5 * L]);
            c05 = a.fma(v, c05); c15 = b.fma(v, c15); c25 = d.fma(v, c25); c35 = e.fma(v, c35);
        }
        int p0 = slot * callPlane;
        if (done > 0 || c0 > 0) {
            c00.intoArray(sums, 0); c10.intoArray(sums, L); c20.intoArray(sums, 2 * L); c30.intoArray(sums, 3 * L);
            c01.intoArray(sums, 4 * L); c11.intoArray(sums, 5 * L); c21.intoArray(sums, 6 * L); c31.intoArray(sums, 7 * L);
            c02.intoArray(sums, 8 * L); c12.intoArray(sums, 9 * L); c22.intoArray(sums, 10 * L); c32.intoArray(sums, 11 * L);
            c03.intoArray(sums, 12 * L); c13.intoArray(sums, 13 * L); c23.intoArray(sums, 14 * L); c33.intoArray(sums, 15 * L);
            c04.intoArray(sums, 16 * L); c14.intoArray(sums, 17 * L); c24.intoArray(sums, 18 * L); c34.intoArray(sums, 19 * L);
            c05.intoArray(sums, 20 * L); c15.intoArray(sums, 21 * L); c25.intoArray(sums, 22 * L); c35.intoArray(sums, 23 * L);
            leaveTile(band, sums, PX4, CB4, done, c0 > 0, p0, to, t);
            return;
        }
        int p1 = p0 + callPlane;
        int p2 = p1 + callPlane;
        int p3 = p2 + callPlane;
        c00.intoArray(band, p0 + to[t]); c10.intoArray(band, p1 + to[t]); c20.intoArray(band, p2 + to[t]); c30.intoArray(band, p3 + to[t]);
        c01.intoArray(band, p0 + to[t + 1]); c11.intoArray(band, p1 + to[t + 1]); c21.intoArray(band, p2 + to[t + 1]);
        c31.intoArray(band, p3 + to[t + 1]);
        c02.intoArray(band, p0 + to[t + 2]); c12.intoArray(band, p1 + to[t + 2]); c22.intoArray(band, p2 + to[t + 2]);
        c32.intoArray(band, p3 + to[t + 2]);
        c03.intoArray(band, p0 + to[t + 3]); c13.intoArray(band, p1 + to[t + 3]); c23.intoArray(band, p2 + to[t + 3]);
        c33.intoArray(band, p3 + to[t + 3]);
        c04.intoArray(band, p0 + to[t + 4]); c14.intoArray(band, p1 + to[t + 4]); c24.intoArray(band, p2 + to[t + 4]);
        c34.intoArray(band, p3 + to[t + 4]);
        c05.intoArray(band, p0 + to[t + 5]); c15.intoArray(band, p1 + to[t + 5]); c25.intoArray(band, p2 + to[t + 5]);
        c35.intoArray(band, p3 + to[t + 5]);
    }

    /** As {@link #expand8x3}, for 5 pixels by channel blocks cb and cb+1 ({@link #CB2}), the weights after the broadcast in each FMA. */
    private void expand5x2(float[] band, float[] x, int at, int[] offsets, int c0, int c1, int cb, int slot, int[] to, int t, int done,
            float[] sums) {
        int ci = expand.ci();
        int w0 = cb * ci * L;
        int w1 = w0 + ci * L;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c04 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00;
        for (int c = c0; c < c1; c++) {
            int i = at + offsets[c];
            FloatVector a = FloatVector.fromArray(S, expandWeight, w0 + c * L);
            FloatVector b = FloatVector.fromArray(S, expandWeight, w1 + c * L);
            FloatVector v = FloatVector.broadcast(S, x[i]);
            c00 = v.fma(a, c00); c10 = v.fma(b, c10);
            v = FloatVector.broadcast(S, x[i + L]);
            c01 = v.fma(a, c01); c11 = v.fma(b, c11);
            v = FloatVector.broadcast(S, x[i + 2 * L]);
            c02 = v.fma(a, c02); c12 = v.fma(b, c12);
            v = FloatVector.broadcast(S, x[i + 3 * L]);
            c03 = v.fma(a, c03); c13 = v.fma(b, c13);
            v = FloatVector.broadcast(S, x[i + 4 * L]);
            c04 = v.fma(a, c04); c14 = v.fma(b, c14);
        }
        int p0 = slot * callPlane;
        if (done > 0 || c0 > 0) {
            c00.intoArray(sums, 0); c10.intoArray(sums, L);
            c01.intoArray(sums, 2 * L); c11.intoArray(sums, 3 * L);
            c02.intoArray(sums, 4 * L); c12.intoArray(sums, 5 * L);
            c03.intoArray(sums, 6 * L); c13.intoArray(sums, 7 * L);
            c04.intoArray(sums, 8 * L); c14.intoArray(sums, 9 * L);
            leaveTile(band, sums, PX2, CB2, done, c0 > 0, p0, to, t);
            return;
        }
        int p1 = p0 + callPlane;
        c00.intoArray(band, p0 + to[t]); c10.intoArray(band, p1 + to[t]);
        c01.intoArray(band, p0 + to[t + 1]); c11.intoArray(band, p1 + to[t + 1]);
        c02.intoArray(band, p0 + to[t + 2]); c12.intoArray(band, p1 + to[t + 2]);
        c03.intoArray(band, p0 + to[t + 3]); c13.intoArray(band, p1 + to[t + 3]);
        c04.intoArray(band, p0 + to[t + 4]); c14.intoArray(band, p1 + to[t + 4]);
    }

    /** As {@link #expand8x3}, for one channel block. */
    private void expand8x1(float[] band, float[] x, int at, int[] offsets, int c0, int c1, int cb, int slot, int[] to, int t, int done,
            float[] sums) {
        int w0 = cb * expand.ci() * L;
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int c = c0; c < c1; c++) {
            int i = at + offsets[c];
            FloatVector a = FloatVector.fromArray(S, expandWeight, w0 + c * L);
            s0 = a.fma(FloatVector.broadcast(S, x[i]), s0);
            s1 = a.fma(FloatVector.broadcast(S, x[i + L]), s1);
            s2 = a.fma(FloatVector.broadcast(S, x[i + 2 * L]), s2);
            s3 = a.fma(FloatVector.broadcast(S, x[i + 3 * L]), s3);
            s4 = a.fma(FloatVector.broadcast(S, x[i + 4 * L]), s4);
            s5 = a.fma(FloatVector.broadcast(S, x[i + 5 * L]), s5);
            s6 = a.fma(FloatVector.broadcast(S, x[i + 6 * L]), s6);
            s7 = a.fma(FloatVector.broadcast(S, x[i + 7 * L]), s7);
        }
        int p0 = slot * callPlane;
        if (done > 0 || c0 > 0) {
            s0.intoArray(sums, 0);
            s1.intoArray(sums, L);
            s2.intoArray(sums, 2 * L);
            s3.intoArray(sums, 3 * L);
            s4.intoArray(sums, 4 * L);
            s5.intoArray(sums, 5 * L);
            s6.intoArray(sums, 6 * L);
            s7.intoArray(sums, 7 * L);
            leaveTile(band, sums, PX, 1, done, c0 > 0, p0, to, t);
            return;
        }
        s0.intoArray(band, p0 + to[t]);
        s1.intoArray(band, p0 + to[t + 1]);
        s2.intoArray(band, p0 + to[t + 2]);
        s3.intoArray(band, p0 + to[t + 3]);
        s4.intoArray(band, p0 + to[t + 4]);
        s5.intoArray(band, p0 + to[t + 5]);
        s6.intoArray(band, p0 + to[t + 6]);
        s7.intoArray(band, p0 + to[t + 7]);
    }

    /**
     * One input pixel's sums over input channels [c0, c1) for channel block cb, into the band buffer's plane {@code slot} at
     * {@code to}: stored or added, as {@link #expand8x3}'s.
     */
    private void expandPixel(float[] band, float[] x, int at, int[] offsets, int c0, int c1, int cb, int slot, int to) {
        int w0 = cb * expand.ci() * L;
        FloatVector sum = FloatVector.zero(S);
        for (int c = c0; c < c1; c++) {
            sum = FloatVector.fromArray(S, expandWeight, w0 + c * L).fma(FloatVector.broadcast(S, x[at + offsets[c]]), sum);
        }
        if (c0 > 0) {
            sum = sum.add(FloatVector.fromArray(S, band, slot * callPlane + to));
        }
        sum.intoArray(band, slot * callPlane + to);
    }

    /** The expand's bias and activation over band[from, to), pixels of channel block cb. */
    private void finishExpanded(float[] band, int from, int to, int cb) {
        FloatVector bias = FloatVector.fromArray(S, expandBias, cb * L);
        for (int i = from; i < to; i += L) {
            FloatVector.fromArray(S, band, i).add(bias).intoArray(band, i);
        }
        VectorActivations.apply(band, from, to, expandEpilogue.activation(), expandEpilogue.slope());
    }

    /** Band row r of channel block cb, plane {@code slot} of the band buffer: [ow][L] into dst from {@code out}, from the band buffer's rows its windows cover. */
    private void depthwiseRow(float[] band, int cb, int slot, int r, float[] dst, int out) {
        int kh = depthwise.kh();
        int kw = depthwise.kw();
        int ow = depthwise.ow();
        int pixelStep = depthwise.sw() * L;
        int top = slot * callPlane + r * depthwise.sh() * bandWidth * L;
        int wBase = cb * kh * kw * L;
        FloatVector bias = FloatVector.fromArray(S, depthwiseBias, cb * L);
        if (sevenPixelTiles) {
            // the last seven moved back over pixels already done; ReLU and ReLU6 clamp in the tile's stores
            float lo = depthwiseEpilogue.floor();
            float hi = depthwiseEpilogue.ceiling();
            int px = DepthwiseMicroKernel.PIXELS;
            for (int tile = 0; tile < (ow + px - 1) / px; tile++) {
                int x = Math.min(tile * px, ow - px);
                if (depthwise.sw() == 1) {
                    DepthwiseMicroKernel.strideOne(band, top + x * L, bandWidth * L, 0, kh, false, false, depthwiseWeight, wBase, depthwiseBias,
                            cb * L, lo, hi, dst, out + x * L);
                } else {
                    DepthwiseMicroKernel.strideTwo(band, top + 2 * x * L, bandWidth * L, 0, kh, false, false, depthwiseWeight, wBase,
                            depthwiseBias, cb * L, lo, hi, dst, out + x * L);
                }
            }
            if (!depthwiseEpilogue.clamps()) {
                VectorActivations.apply(dst, out, out + ow * L, depthwiseEpilogue.activation(), depthwiseEpilogue.slope());
            }
            return;
        }
        // the last four moved back over pixels already done, as the expand's tiles are; a pixel at a time only below four
        int tiles = ow < DW_PX ? 0 : (ow + DW_PX - 1) / DW_PX;
        for (int tile = 0; tile < tiles; tile++) {
            int x = Math.min(tile * DW_PX, ow - DW_PX);
            BlockedDepthwise.fourPixels(band, top + x * pixelStep, bandWidth * L, pixelStep, kh, kw, depthwiseWeight, wBase, depthwiseBias,
                    cb * L, dst, out + x * L);
        }
        for (int x = tiles * DW_PX; x < ow; x++) {
            FloatVector a = bias;
            for (int ky = 0; ky < kh; ky++) {
                int at = top + (ky * bandWidth + x * depthwise.sw()) * L;
                for (int kx = 0; kx < kw; kx++) {
                    a = FloatVector.fromArray(S, depthwiseWeight, wBase + (ky * kw + kx) * L).fma(FloatVector.fromArray(S, band, at + kx * L), a);
                }
            }
            a.intoArray(dst, out + x * L);
        }
        VectorActivations.apply(dst, out, out + ow * L, depthwiseEpilogue.activation(), depthwiseEpilogue.slope());
    }
}
