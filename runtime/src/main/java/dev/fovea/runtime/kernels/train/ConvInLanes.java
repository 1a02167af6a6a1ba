package dev.fovea.runtime.kernels.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.ConvGeometry;
import java.util.function.IntConsumer;

/**
 * A convolution of one group trained with the samples in vector lanes: the batch in groups of
 * {@link Lanes#L} samples, moved into the lane layout plane by plane, {@link LaneConv}'s kernels run
 * over disjoint parts of the outputs (runs of positions of a group; output blocks and runs of taps of
 * the weight gradient; channel blocks of a scattered data gradient), and moved back. A 3x3 layer at
 * stride 1 with padding 1 runs its forward pass and its data gradient by Winograd's minimal filtering
 * instead ({@link LaneWinograd}), and where it pays its weight gradient too ({@link LaneWinogradGradient}). Each part is
 * computed by one task in a fixed order, so the results do not depend on the number of threads, and a
 * single group still keeps every thread busy. The task bodies are built once and read the pass's
 * arrays from fields: nothing is allocated per pass.
 */
final class ConvInLanes {
    private final ConvGeometry g;
    private final int batch;
    private final int groups;
    private final LaneConv lanes;
    /**
     * For a stride-1 "same" convolution, the data gradient as a forward pass: the output gradient, padded
     * by the kernel's reach less the forward padding, convolved with the weights flipped and transposed
     * (ci x co kh kw). Null where the data gradient is scattered back ({@link LaneConv#dataGradient}).
     */
    private final LaneConv flipped;
    /** Winograd's minimal filtering for the forward pass and for the flipped one, where the layer is 3x3 at stride 1 with padding 1; else null. */
    private final LaneWinograd winograd;
    private final LaneWinograd flippedWinograd;
    /** The weight gradient through Winograd's transforms, where the forward pass runs on them; else null. */
    private final LaneWinogradGradient winogradGradient;
    private final int[] inputStrides;
    private final int[] outputStrides;
    private final Scratch scratch;
    /** Runs of positions per group in the forward pass (and of input positions in a flipped data gradient), and runs of taps per output block. */
    private final int positionSlices;
    private final int flippedSlices;
    private final int tapSlices;
    /** The weight gradient's tasks take the output blocks this many at a time ({@link LaneConv#SUM_BLOCKS} at most). */
    private final int blockRun;
    private final int blockRuns;

    // The pass's arguments, set before its tasks run: the task bodies below read them.
    private float[] x;
    private float[] bias;
    private float[] y;
    private float[] dy;
    private float[] dx;
    private float[] dw;
    private float[] db;
    /** Whether the pass stores the input's gradient instead of adding to it. */
    private boolean storeDx;
    private final IntConsumer inputIn = this::inputIn;
    private final IntConsumer forwardRun = this::forwardRun;
    private final IntConsumer outputOut = this::outputOut;
    private final IntConsumer gradientIn = this::gradientIn;
    private final IntConsumer weightRun = this::weightRun;
    private final IntConsumer biasBlock = this::biasBlock;
    private final IntConsumer rowsIn = this::rowsIn;
    private final IntConsumer paddedGradientIn = this::paddedGradientIn;
    private final IntConsumer flippedRun = this::flippedRun;
    private final IntConsumer flippedOut = this::flippedOut;
    private final IntConsumer scatterBlock = this::scatterBlock;
    private final IntConsumer scatteredOut = this::scatteredOut;
    private final IntConsumer packWinograd = this::packWinograd;
    private final IntConsumer packFlippedWinograd = this::packFlippedWinograd;
    /** The layer's weights while the Winograd packing tasks read them. */
    private float[] weight;

    ConvInLanes(ConvGeometry g, int batch, int threads, Scratch scratch) {
        this.g = g;
        this.batch = batch;
        this.groups = (batch + Lanes.L - 1) / Lanes.L;
        this.lanes = new LaneConv(g);
        int reachH = g.dh() * (g.kh() - 1);
        int reachW = g.dw() * (g.kw() - 1);
        // only where the input is about as large as the output ("same" padding): a "valid" convolution's
        // gradient, padded all round, would multiply as many zeros as values
        boolean flips = g.sh() == 1 && g.sw() == 1 && g.pt() <= reachH && g.pl() <= reachW && g.ih() * g.iw() * 4 <= g.oh() * g.ow() * 5;
        this.flipped = flips ? new LaneConv(new ConvGeometry(g.co(), g.oh(), g.ow(), g.ci(), g.ih(), g.iw(), g.kh(), g.kw(), 1, 1,
                reachH - g.pt(), reachW - g.pl(), g.dh(), g.dw(), 1)) : null;
        this.winograd = LaneWinograd.handles(g) ? new LaneWinograd(g, lanes.ph, lanes.pw, LaneWinograd.Tile.of(g, groups)) : null;
        this.flippedWinograd = flipped != null && LaneWinograd.handles(flipped.geometry())
                ? new LaneWinograd(flipped.geometry(), flipped.ph, flipped.pw, LaneWinograd.Tile.of(flipped.geometry(), groups)) : null;
        this.winogradGradient = winograd != null && LaneWinogradGradient.pays(winograd) ? new LaneWinogradGradient(winograd) : null;
        this.inputStrides = Lanes.sampleStrides(g.inputSize());
        this.outputStrides = Lanes.sampleStrides(g.outputSize());
        this.scratch = scratch;
        // enough parts for 4 per thread, none shorter than 4 runs of the register blocks
        int parts = 4 * threads;
        this.positionSlices = slices(g.positions(), (parts + groups - 1) / groups);
        this.flippedSlices = flipped == null ? 1 : slices(g.ih() * g.iw(), (parts + groups - 1) / groups);
        // as many output blocks per task as the sums buffer holds, while there are parts for every thread
        this.blockRun = Math.max(1, Math.min(LaneConv.SUM_BLOCKS, lanes.outputBlocks / parts));
        this.blockRuns = (lanes.outputBlocks + blockRun - 1) / blockRun;
        this.tapSlices = slices(lanes.taps(), (parts + blockRuns - 1) / blockRuns);
        if (winograd != null || flippedWinograd != null) {
            scratch.reserve(Scratch.Use.WINOGRAD, 1, (winograd == null ? 0 : winograd.packedFloats())
                    + (flippedWinograd == null ? 0 : flippedWinograd.packedFloats()));
        }
        scratch.reserve(Scratch.Use.LANE_INPUT, 1, groups * lanes.inputFloats());
        scratch.reserve(Scratch.Use.LANE_OUTPUT, 1, groups * lanes.outputFloats());
        if (winogradGradient != null) {
            scratch.reserve(Scratch.Use.WINOGRAD_GRADIENT, 1, winogradGradient.scratchFloats());
        } else if (lanes.gradientInRows()) {
            scratch.reserve(Scratch.Use.LANE_ROWS, 1, groups * lanes.rowFloats());
        }
        if (flipped != null) {
            scratch.reserve(Scratch.Use.LANE_GRADIENT, 1, groups * flipped.inputFloats()); // the padded output gradient
            scratch.reserve(Scratch.Use.LANE_DATA, 1, groups * flipped.outputFloats());
            if (flippedWinograd == null) { // the flipped weights copied and packed for the direct kernel
                scratch.reserve(Scratch.Use.FLIPPED, 1, g.co() * g.k());
                scratch.reserve(Scratch.Use.PACKED, 1, lanes.forwardPackedFloats() + flipped.forwardPackedFloats());
            } else if (winograd == null) {
                scratch.reserve(Scratch.Use.PACKED, 1, lanes.forwardPackedFloats());
            }
        } else {
            scratch.reserve(Scratch.Use.LANE_GRADIENT, 1, groups * lanes.inputFloats()); // the padded input's gradient
            scratch.reserve(Scratch.Use.PACKED, 1, lanes.forwardPackedFloats() + lanes.dataPackedFloats());
        }
    }

    /** The tile of Winograd's minimal filtering the forward pass runs on, or null where it runs direct. */
    LaneWinograd.Tile winogradTile() {
        return winograd == null ? null : winograd.tile();
    }

    /** Parts of a range of {@code length}, in runs of {@link LaneConv#RUN}: at most {@code wanted}, each at least 4 runs. */
    private static int slices(int length, int wanted) {
        int runs = (length + LaneConv.RUN - 1) / LaneConv.RUN;
        return Math.max(1, Math.min(wanted, runs / 4));
    }

    /** The start of part {@code slice} of {@code slices} of a range of {@code length}, a multiple of {@link LaneConv#RUN}. */
    private static int sliceStart(int slice, int slices, int length) {
        int runs = (length + LaneConv.RUN - 1) / LaneConv.RUN;
        return Math.min(length, slice * runs / slices * LaneConv.RUN);
    }

    private int first(int group) {
        return group * Lanes.L;
    }

    private int count(int group) {
        return Math.min(Lanes.L, batch - group * Lanes.L);
    }

    // ---- forward -----------------------------------------------------------------------------------------------

    void forward(Workers workers, float[] x, float[] weight, float[] bias, float[] y) {
        this.x = x;
        this.bias = bias;
        this.y = y;
        workers.parallelFor(groups * g.ci(), inputIn);
        if (winograd != null) {
            this.weight = weight;
            workers.parallelFor(winograd.outputBlocks(), packWinograd);
            this.weight = null;
            for (int group = 0; group < groups; group++) {
                winograd.forward(workers, scratch.get(Scratch.Use.LANE_INPUT, 0), group * lanes.inputFloats(), scratch.get(Scratch.Use.WINOGRAD, 0), 0,
                        bias, scratch.get(Scratch.Use.LANE_OUTPUT, 0), group * lanes.outputFloats());
            }
        } else {
            lanes.packForward(weight, scratch.get(Scratch.Use.PACKED, 0), 0);
            workers.parallelFor(groups * positionSlices, forwardRun);
        }
        workers.parallelFor(groups * g.co(), outputOut);
        this.x = this.bias = this.y = null;
    }

    /** Task (group, channel): the input plane, padded, into the lanes. */
    private void inputIn(int task) {
        int group = task / g.ci();
        Lanes.inPlane(x, first(group), count(group), task % g.ci(), g.ci(), g.ih(), g.iw(), g.pt(), g.pl(), lanes.ph, lanes.pw, inputStrides,
                scratch.get(Scratch.Use.LANE_INPUT, 0), group * lanes.inputFloats() + task % g.ci() * lanes.ph * lanes.pw * Lanes.L);
    }

    /** Task (group, run of positions). */
    private void forwardRun(int task) {
        int group = task / positionSlices;
        int slice = task % positionSlices;
        lanes.forward(scratch.get(Scratch.Use.LANE_INPUT, 0), group * lanes.inputFloats(), scratch.get(Scratch.Use.PACKED, 0), 0, bias,
                scratch.get(Scratch.Use.LANE_OUTPUT, 0), group * lanes.outputFloats(), sliceStart(slice, positionSlices, g.positions()),
                sliceStart(slice + 1, positionSlices, g.positions()));
    }

    /** Task (block of 8 output channels): U for the forward pass's Winograd. */
    private void packWinograd(int ob) {
        winograd.pack(weight, scratch.get(Scratch.Use.WINOGRAD, 0), 0, ob);
    }

    /** Task (group, channel): the output plane back to the batch. */
    private void outputOut(int task) {
        int group = task / g.co();
        int c = task % g.co();
        Lanes.outPlane(scratch.get(Scratch.Use.LANE_OUTPUT, 0), group * lanes.outputFloats() + c * g.positions() * Lanes.L, c, g.co(), g.oh(),
                g.ow(), outputStrides, y, first(group), count(group), false);
    }

    // ---- backward ----------------------------------------------------------------------------------------------

    /**
     * Accumulates into dw and db (each when not null) the gradients of the weight and the bias, and into dx that of
     * the input, or stores it there with {@code storeDx} (every element of dx is written).
     */
    void backward(Workers workers, float[] x, float[] weight, float[] dy, float[] dx, boolean storeDx, float[] dw, float[] db) {
        this.storeDx = storeDx;
        this.x = x;
        this.dy = dy;
        this.dx = dx;
        this.dw = dw;
        this.db = db;
        int outputChannels = lanes.outputBlocks * LaneConv.BLOCK;
        workers.parallelFor(groups * (outputChannels + (dw != null ? g.ci() : 0)), gradientIn);
        if (dw != null && winogradGradient != null) {
            winogradGradient.weightGradient(workers, scratch.get(Scratch.Use.LANE_INPUT, 0), lanes.inputFloats(), scratch.get(Scratch.Use.LANE_OUTPUT, 0),
                    lanes.outputFloats(), groups, scratch.get(Scratch.Use.WINOGRAD_GRADIENT, 0), dw);
            if (db != null) {
                workers.parallelFor(lanes.outputBlocks, biasBlock);
            }
        } else if (dw != null) {
            if (lanes.gradientInRows()) {
                workers.parallelFor(groups * lanes.outputBlocks, rowsIn);
            }
            workers.parallelFor(blockRuns * tapSlices, weightRun); // the first run of each block's taps also sums its bias
        } else if (db != null) {
            workers.parallelFor(lanes.outputBlocks, biasBlock);
        }
        if (dx != null && flipped != null) {
            workers.parallelFor(groups * g.co(), paddedGradientIn);
            if (flippedWinograd != null) {
                this.weight = weight; // packed flipped, with no copy
                workers.parallelFor(flippedWinograd.outputBlocks(), packFlippedWinograd);
                this.weight = null;
                for (int group = 0; group < groups; group++) {
                    flippedWinograd.forward(workers, scratch.get(Scratch.Use.LANE_GRADIENT, 0), group * flipped.inputFloats(),
                            scratch.get(Scratch.Use.WINOGRAD, 0), winogradPacked(), null, scratch.get(Scratch.Use.LANE_DATA, 0),
                            group * flipped.outputFloats());
                }
            } else {
                float[] w = scratch.get(Scratch.Use.FLIPPED, 0);
                flipTransposed(weight, w);
                flipped.packForward(w, scratch.get(Scratch.Use.PACKED, 0), lanes.forwardPackedFloats());
                workers.parallelFor(groups * flippedSlices, flippedRun);
            }
            workers.parallelFor(groups * g.ci(), flippedOut);
        } else if (dx != null) {
            lanes.packData(weight, scratch.get(Scratch.Use.PACKED, 0), lanes.forwardPackedFloats());
            workers.parallelFor(groups * lanes.inputBlocks, scatterBlock);
            workers.parallelFor(groups * g.ci(), scatteredOut);
        }
        this.x = this.dy = this.dx = this.dw = this.db = null;
    }

    /** Task (group, channel): an output gradient plane into the lanes (channels rounded up to blocks of 4, the extra ones zero), then the input planes the weight gradient reads. */
    private void gradientIn(int task) {
        int outputChannels = lanes.outputBlocks * LaneConv.BLOCK;
        int perGroup = outputChannels + (dw != null ? g.ci() : 0);
        int group = task / perGroup;
        int c = task % perGroup;
        if (c < outputChannels) {
            Lanes.inPlane(dy, first(group), count(group), c, g.co(), g.oh(), g.ow(), 0, 0, g.oh(), g.ow(), outputStrides,
                    scratch.get(Scratch.Use.LANE_OUTPUT, 0), group * lanes.outputFloats() + c * g.positions() * Lanes.L);
        } else {
            inputIn(group * g.ci() + c - outputChannels);
        }
    }

    /** Task (run of output blocks, run of taps) of the weight gradient, over every group. */
    private void weightRun(int task) {
        int ob0 = task / tapSlices * blockRun;
        int ob1 = Math.min(lanes.outputBlocks, ob0 + blockRun);
        int slice = task % tapSlices;
        float[] gradient = scratch.get(lanes.gradientInRows() ? Scratch.Use.LANE_ROWS : Scratch.Use.LANE_OUTPUT, 0);
        lanes.weightGradient(scratch.get(Scratch.Use.LANE_INPUT, 0), 0, gradient, 0, groups, ob0, ob1,
                sliceStart(slice, tapSlices, lanes.taps()), sliceStart(slice + 1, tapSlices, lanes.taps()), dw);
        if (slice == 0) {
            for (int ob = ob0; ob < ob1; ob++) {
                biasBlock(ob);
            }
        }
    }

    /** Task (group, output block): the output gradient from the lanes into the rows the weight gradient reads at stride 1 and in pairs. */
    private void rowsIn(int task) {
        int group = task / lanes.outputBlocks;
        lanes.packRows(scratch.get(Scratch.Use.LANE_OUTPUT, 0), group * lanes.outputFloats(), task % lanes.outputBlocks,
                scratch.get(Scratch.Use.LANE_ROWS, 0), group * lanes.rowFloats());
    }

    /** Task (output block): the bias gradient of its channels, from the output gradient in the lanes. */
    private void biasBlock(int ob) {
        if (db != null) {
            lanes.biasGradient(scratch.get(Scratch.Use.LANE_OUTPUT, 0), 0, groups, ob, db);
        }
    }

    /** Task (group, channel): an output gradient plane already in the lanes, padded for the flipped forward pass (copied, not moved in again). */
    private void paddedGradientIn(int task) {
        int group = task / g.co();
        int c = task % g.co();
        ConvGeometry f = flipped.geometry();
        Lanes.pad(scratch.get(Scratch.Use.LANE_OUTPUT, 0), group * lanes.outputFloats() + c * g.positions() * Lanes.L, g.oh(), g.ow(), f.pt(),
                f.pl(), flipped.ph, flipped.pw, scratch.get(Scratch.Use.LANE_GRADIENT, 0),
                group * flipped.inputFloats() + c * flipped.ph * flipped.pw * Lanes.L);
    }

    /** Task (group, run of input positions): the flipped forward pass. */
    private void flippedRun(int task) {
        int group = task / flippedSlices;
        int slice = task % flippedSlices;
        int positions = g.ih() * g.iw();
        flipped.forward(scratch.get(Scratch.Use.LANE_GRADIENT, 0), group * flipped.inputFloats(), scratch.get(Scratch.Use.PACKED, 0),
                lanes.forwardPackedFloats(), null, scratch.get(Scratch.Use.LANE_DATA, 0), group * flipped.outputFloats(),
                sliceStart(slice, flippedSlices, positions), sliceStart(slice + 1, flippedSlices, positions));
    }

    /** Task (block of 8 input channels): U for the flipped pass's Winograd, after the forward pass's. */
    private void packFlippedWinograd(int cb) {
        flippedWinograd.pack(weight, true, scratch.get(Scratch.Use.WINOGRAD, 0), winogradPacked(), cb);
    }

    /** Where the flipped pass's U starts in the Winograd buffer. */
    private int winogradPacked() {
        return winograd == null ? 0 : winograd.packedFloats();
    }

    /** Task (group, channel): the flipped pass's output plane added into dx, or stored. */
    private void flippedOut(int task) {
        int group = task / g.ci();
        int c = task % g.ci();
        Lanes.outPlane(scratch.get(Scratch.Use.LANE_DATA, 0), group * flipped.outputFloats() + c * g.ih() * g.iw() * Lanes.L, c, g.ci(), g.ih(),
                g.iw(), inputStrides, dx, first(group), count(group), !storeDx);
    }

    /** Task (group, input channel block): the data gradient scattered tap by tap into the padded planes. */
    private void scatterBlock(int task) {
        int group = task / lanes.inputBlocks;
        int cb = task % lanes.inputBlocks;
        float[] d = scratch.get(Scratch.Use.LANE_GRADIENT, 0);
        int base = group * lanes.inputFloats();
        int block = LaneConv.BLOCK * lanes.ph * lanes.pw * Lanes.L;
        java.util.Arrays.fill(d, base + cb * block, base + (cb + 1) * block, 0);
        lanes.dataGradient(scratch.get(Scratch.Use.LANE_OUTPUT, 0), group * lanes.outputFloats(), scratch.get(Scratch.Use.PACKED, 0),
                lanes.forwardPackedFloats(), d, base, cb);
    }

    /** Task (group, channel): a padded gradient plane cut back and added into dx, or stored. */
    private void scatteredOut(int task) {
        int group = task / g.ci();
        int c = task % g.ci();
        Lanes.outPadded(scratch.get(Scratch.Use.LANE_GRADIENT, 0), group * lanes.inputFloats() + c * lanes.ph * lanes.pw * Lanes.L, c, g.ci(),
                g.ih(), g.iw(), g.pt(), g.pl(), lanes.ph, lanes.pw, inputStrides, dx, first(group), count(group), !storeDx);
    }

    /** W'[c][o][ky][kx] = W[o][c][kh-1-ky][kw-1-kx]: the weights of the data gradient's forward pass. */
    private void flipTransposed(float[] weight, float[] flippedWeight) {
        int area = g.kh() * g.kw();
        for (int c = 0; c < g.ci(); c++) {
            for (int o = 0; o < g.co(); o++) {
                int from = (o * g.ci() + c) * area;
                int to = (c * g.co() + o) * area;
                for (int a = 0; a < area; a++) {
                    flippedWeight[to + a] = weight[from + area - 1 - a];
                }
            }
        }
    }
}
