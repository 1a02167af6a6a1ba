package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 3x3 convolution at stride 1 with padding 1 by Winograd's F(2x2, 3x3) (Lavin and Gray, 2015): each
 * 2x2 block of outputs comes from a 4x4 block of inputs in 16 multiplications per channel pair instead
 * of 36, 2.25 times fewer. Blocked input inside its zero frame, blocked output.
 *
 * <p>A task takes one weight panel of 32 output channels and one group of micro-kernel tiles (14 blocks
 * each; 4 on a large map, up to 16 running across the samples of a batch on small ones), in three parts:
 * <ol>
 *   <li>The input transform of the group's blocks, unless the thread's last task was the same group's:
 *       each 4x4 input block d becomes V = Bᵀ d B, one vector per 16 channels, and its 16 values go to 16
 *       planes, V[ξ][channel block][2x2 block of the group][16], a 1x1 convolution's input each. The
 *       group's blocks run on from one sample into the next (a 7x7 map has 16 blocks). V goes to a buffer
 *       of the thread's own ({@link ThreadOwnInput}) and stays in L2 for the group's panels: transformed
 *       whole beforehand, by both threads, VGG-16's V (49 MiB at 224x224) went through memory, and a
 *       thread multiplied the part the other had transformed out of the other core's cache.</li>
 *   <li>The 16 products M[ξ] = U[ξ] V[ξ], summed over the input channels on {@link BlockedMicroKernel}'s
 *       14x32 tile as sixteen 1x1 convolutions, where U = G g Gᵀ is the 3x3 kernel g transformed once, at
 *       construction. Each U[ξ] panel is read into L1 once per task ({@link SliceReader}).</li>
 *   <li>While its products are still in L2: the output transform Y = Aᵀ M A, the bias, the activation,
 *       and the store of the 2x2 outputs.</li>
 * </ol>
 * The transforms are additions and subtractions, and G's halves are exact in float, so results differ
 * from the direct sum by rounding alone, within the float64 oracle's tolerance ({@code WinogradConvTest}).
 * The task count and ordering follow {@link ChannelVectorConv}'s: every panel of one group of tiles
 * before the next group, so that each core keeps to its own rows of the map and transforms each of its
 * groups once.
 */
public final class WinogradConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Transformed positions of a 4x4 block. */
    private static final int XI = 16;
    private static final int NC = BlockedMicroKernel.CHANNELS;
    private static final int RUN = BlockedMicroKernel.RUN;
    /** Floats of one micro-kernel tile's sums: 14 output blocks by 32 channels. */
    private static final int TILE_FLOATS = BlockedMicroKernel.PIXELS * NC;
    /**
     * At most this many (input, output) channel pairs: 16 transformed weights each, 16 MiB at 512 x 512,
     * 16/9 of the direct kernel's. VGG-16's 512-channel layers on 28x28 and 14x14 maps were 16 to 21%
     * faster on them than on the direct kernel at batch 1, with those weights streamed once per sample
     * (Intel Xeon, 2026-12-05); 256 x 256 was the limit when that was measured slower on another CPU.
     */
    static final int MAX_CHANNEL_PAIRS = 512 * 512;
    /**
     * Kernel tiles (of 14 output blocks) per task: each U[ξ] panel is read once per task and used for
     * all of them. 4 was 3 to 4% faster than 2 on ResNet's 56x56 and 28x28 layers, 2 than 1 by 7%.
     */
    private static final int TILES_PER_TASK = 4;
    /**
     * Transformed inputs of a job's samples together, in floats (8 MiB): a batch on small maps runs several
     * samples as one job, so that a task's tiles run on from one sample into the next under the same U[ξ]
     * panel, read once for up to {@link #MAX_TILES_PER_TASK} tiles instead of once per sample. (A 13x13 map
     * has four tiles; its U, 16/9 of the weights, was most of the time streamed sample by sample.)
     */
    private static final int JOB_FLOATS = 2 << 20;
    private static final int MAX_TILES_PER_TASK = 16;
    /**
     * On a map whose 2x2 blocks do not fill runs of 7 (7x7: 16), the runs go on from one sample into the
     * next, and only the job's last run is partly empty: such a layer runs here when its jobs have at
     * least this many blocks (four tiles), so that the empty slots and U are spread over several samples.
     */
    private static final int MIN_JOB_BLOCKS = 4 * BlockedMicroKernel.PIXELS;
    /** Tasks a job of several samples is cut into, with the panels: enough for every thread. */
    private static final int TARGET_TASKS = 16;

    private final ConvGeometry g;
    private final ChannelBlocks.Frame inFrame;
    private final ChannelBlocks.Frame outFrame;
    /** A map of the output's size with no border: how an unframed residual lies. */
    private final ChannelBlocks.Frame unframed;
    private final int blocksPerRow;
    /** 2x2 output blocks of a sample. */
    private final int blocks;
    private final int panels;
    private final int channelBlocks;
    /** U[ξ] as panels for the micro-kernel: [ξ][panel][input channel][32 output channels]. */
    private final float[] packed;
    /** A 1x1 convolution's taps over one plane of a group's V: one channel block apart, for groups of {@link #tapsStride} blocks. */
    private int[] taps;
    private int tapsStride = -1;
    private final float[] noBias;
    /** A task's products, [tile][ξ][14 blocks][32 channels], and one float past them for {@link SliceReader}'s sum. */
    private final ThreadLocal<float[]> sums;
    private final IntConsumer task;

    // The job's arguments, set before its tasks run: samples [callSample, callSample + callSamples), their tiles
    // in groups of callTilesPerTask.
    private float[] callIn;
    private float[] callOut;
    private OutputSlice callSlice;
    private Epilogue callEpilogue;
    private int callSample;
    private int callSamples;
    /** An output of samples one after the other, each in the frame: where {@link #runSample} writes its one. */
    private final OutputSlice oneSample;
    /** Floats by which the job's output lies before its samples' places: one sample run alone ({@link #runSample}). */
    private int callOutShift;
    private int callTilesPerTask;
    private int callRuns;
    /** The job's number, unique in the process: which group's V a thread's buffer holds ({@link ThreadOwnInput}). */
    private long callJob;

    /**
     * Whether this kernel computes the layer: a 3x3 window at stride 1 with padding 1, no groups or dilation,
     * blocked channels in panels of 32 out, a map whose rows of 2x2 blocks fill runs of 7 (14 or 28 wide, or
     * 13 or 27, the last blocks half outside) or, at a batch whose jobs hold {@link #MIN_JOB_BLOCKS}, any map
     * (7x7), and an epilogue of a bias, a residual and a ReLU at most (nothing added onto the output's
     * former values).
     */
    public static boolean handles(ConvGeometry g, Activation activation, boolean accumulate, int batch) {
        return g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1 && g.pt() == 1 && g.pl() == 1 && g.dh() == 1 && g.dw() == 1
                && g.groups() == 1 && g.ci() % ChannelBlocks.BLOCK == 0 && g.co() % NC == 0 && g.oh() == g.ih() && g.ow() == g.iw()
                && (blocksAcross(g) % RUN == 0 || jobSamples(g, batch) * blocks(g) >= MIN_JOB_BLOCKS) && !accumulate
                && (activation == Activation.NONE || activation == Activation.RELU) && (long) g.ci() * g.co() <= MAX_CHANNEL_PAIRS;
    }

    /**
     * The zero frame its input must arrive in: the padding all round, and on a map of odd height or width one
     * more zero row or column below or to the right, which the last 4x4 input blocks reach. On an even map
     * this is {@link ChannelBlocks.Frame#around} the layer.
     */
    public static ChannelBlocks.Frame inputFrame(ConvGeometry g) {
        return new ChannelBlocks.Frame(2 * blocksDown(g) + 2, 2 * blocksAcross(g) + 2, 1, 1);
    }

    private static int blocksDown(ConvGeometry g) {
        return (g.oh() + 1) / 2;
    }

    private static int blocksAcross(ConvGeometry g) {
        return (g.ow() + 1) / 2;
    }

    private static int blocks(ConvGeometry g) {
        return blocksDown(g) * blocksAcross(g);
    }

    /** Samples of a batch of {@code n} run as one job: their V would take up to {@link #JOB_FLOATS}. */
    private static int jobSamples(ConvGeometry g, int n) {
        return Math.max(1, Math.min(n, JOB_FLOATS / (XI * g.ci() * blocks(g))));
    }

    /**
     * The layer g (which {@link #handles}) with its input inside {@code inFrame} ({@link #inputFrame} g), its
     * output in {@code outFrame} or unframed.
     */
    public WinogradConv(ConvGeometry g, float[] weight, ChannelBlocks.Frame inFrame, ChannelBlocks.Frame outFrame) {
        if (!inFrame.equals(inputFrame(g))) {
            throw new IllegalArgumentException("input frame " + inFrame + " is not the frame " + inputFrame(g) + " that " + g + " reads");
        }
        this.g = g;
        this.inFrame = inFrame;
        this.unframed = new ChannelBlocks.Frame(g.oh(), g.ow(), 0, 0);
        this.outFrame = outFrame == null ? unframed : outFrame;
        this.oneSample = OutputSlice.whole(outSampleFloats());
        this.blocksPerRow = blocksAcross(g);
        this.blocks = blocks(g);
        this.panels = g.co() / NC;
        this.channelBlocks = g.ci() / ChannelBlocks.BLOCK;
        this.sums = new ThreadLocal<>();
        this.packed = pack(g, weight);
        this.noBias = new float[g.co()];
        this.task = t -> task(t % panels, t / panels);
    }

    /** U = G g Gᵀ for every pair of channels, packed [ξ][panel][input channel][32]. */
    private static float[] pack(ConvGeometry g, float[] weight) {
        int ci = g.ci();
        int panels = g.co() / NC;
        float[] packed = new float[XI * g.co() * ci];
        double[][] gm = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
        for (int o = 0; o < g.co(); o++) {
            for (int c = 0; c < ci; c++) {
                int w = (o * ci + c) * 9;
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        double u = 0;
                        for (int a = 0; a < 3; a++) {
                            for (int b = 0; b < 3; b++) {
                                u += gm[i][a] * weight[w + a * 3 + b] * gm[j][b];
                            }
                        }
                        int xi = i * 4 + j;
                        packed[((xi * panels + o / NC) * ci + c) * NC + o % NC] = (float) u;
                    }
                }
            }
        }
        return packed;
    }

    /** Floats of one sample of the output, in its frame when it has one. */
    public int outSampleFloats() {
        return outFrame.floats(g.co());
    }

    public void run(Workers workers, float[] in, float[] out, OutputSlice slice, int n, Epilogue e) {
        begin(in, out, slice, e);
        int job = jobSamples(g, n);
        for (int first = 0; first < n; first += job) {
            job(workers, first, Math.min(job, n - first));
        }
    }

    /**
     * Sample {@code sample} of {@code in} alone, into the first sample of {@code out} (unframed, or in its frame), as a
     * job of one sample: a layer whose max pool reads each sample as it is finished. e adds no residual.
     */
    public void runSample(Workers workers, float[] in, int sample, float[] out, Epilogue e) {
        begin(in, out, oneSample, e);
        callOutShift = oneSample.base(sample);
        try {
            job(workers, sample, 1);
        } finally {
            callOutShift = 0;
        }
    }

    private void begin(float[] in, float[] out, OutputSlice slice, Epilogue e) {
        callIn = in;
        callOut = out;
        callSlice = slice;
        callEpilogue = e;
    }

    /** Samples [first, first + count): their blocks transformed, multiplied and transformed back. */
    private void job(Workers workers, int first, int count) {
        callSample = first;
        callSamples = count;
        callRuns = (callSamples * blocks + RUN - 1) / RUN;
        int tiles = (callRuns + 1) / 2;
        // one sample: the measured 4 tiles a task; several: as many as leave enough tasks
        int groupsWanted = Math.max(1, (TARGET_TASKS + panels - 1) / panels);
        callTilesPerTask = callSamples == 1 ? TILES_PER_TASK
                : Math.max(TILES_PER_TASK, Math.min(MAX_TILES_PER_TASK, (tiles + groupsWanted - 1) / groupsWanted));
        int groups = (tiles + callTilesPerTask - 1) / callTilesPerTask;
        // as many groups, of even sizes: each thread's V is the largest group's
        callTilesPerTask = (tiles + groups - 1) / groups;
        int stride = groupStride();
        if (stride != tapsStride) { // the first job, or one of another size
            taps = new int[channelBlocks];
            for (int cb = 0; cb < channelBlocks; cb++) {
                taps[cb] = cb * stride * ChannelBlocks.BLOCK;
            }
            tapsStride = stride;
        }
        callJob = ThreadOwnInput.newJob();
        workers.parallelFor(panels * groups, task);
    }

    /** Blocks of a group's plane of V per channel block: its tiles' two runs of 7. */
    private int groupStride() {
        return callTilesPerTask * BlockedMicroKernel.PIXELS;
    }

    /**
     * V of group {@code group}'s blocks, [first, last) its tiles, in the calling thread's buffer: transformed
     * unless the thread's last task was the same group's.
     */
    private float[] groupV(int group, int first, int last) {
        ThreadOwnInput own = ThreadOwnInput.ofThread();
        int stride = groupStride();
        float[] v = own.floats(XI * g.ci() * stride);
        long key = callJob << 20 | group; // a job has fewer groups than that
        if (!own.holds(key)) {
            transform(first * BlockedMicroKernel.PIXELS, Math.min(callSamples * blocks, last * BlockedMicroKernel.PIXELS), v, stride);
            own.hold(key);
        }
        return v;
    }

    /**
     * V = Bᵀ d B for the job's blocks [b0, b1) (of its samples in turn), every channel block, into {@code v}:
     * block b0 + i at i in planes of {@code stride} blocks.
     */
    private void transform(int b0, int b1, float[] v, int stride) {
        int b = ChannelBlocks.BLOCK;
        int w = inFrame.width();
        int plane = g.ci() * stride;
        for (int cb = 0; cb < channelBlocks; cb++) {
            for (int block = b0; block < b1; block++) {
                int sample = block / blocks;
                int row = block % blocks / blocksPerRow;
                int x = block % blocksPerRow;
                // the frame's zero border is the padding: block (row, x) reads framed rows 2 row .. 2 row + 3
                int r0 = (callSample + sample) * inFrame.floats(g.ci()) + (cb * inFrame.height() * w + 2 * row * w) * b;
                WinogradTransforms.input(callIn, r0 + 2 * x * b, w * b, b, v, (cb * stride + block - b0) * b, plane);
            }
        }
    }

    /**
     * Panel {@code panel}'s outputs over the job's kernel tiles [group * callTilesPerTask, ...), the tiles of
     * its samples one after the other: the group's V ({@link #groupV}); for each ξ, U[ξ]'s panel read into L1
     * ({@link SliceReader}) and multiplied into every tile's products; then, tile by tile, the output transform.
     */
    private void task(int panel, int group) {
        int first = group * callTilesPerTask;
        int last = Math.min((callRuns + 1) / 2, first + callTilesPerTask);
        float[] m = sums.get();
        if (m == null || m.length < (last - first) * XI * TILE_FLOATS + 1) {
            m = new float[callTilesPerTask * XI * TILE_FLOATS + 1]; // the first job, or one of more tiles than that
            sums.set(m);
        }
        float[] planes = groupV(group, first, last);
        int plane = g.ci() * groupStride();
        int b = ChannelBlocks.BLOCK;
        int panelFloats = g.ci() * NC;
        float read = 0;
        for (int xi = 0; xi < XI; xi++) {
            int aBase = (xi * panels + panel) * panelFloats;
            read += SliceReader.read(packed, aBase, aBase + panelFloats);
            for (int tile = first; tile < last; tile++) {
                int run = 2 * tile;
                int firstRun = xi * plane + (tile - first) * BlockedMicroKernel.PIXELS * b;
                int t = ((tile - first) * XI + xi) * TILE_FLOATS;
                if (run + 1 == callRuns) {
                    BlockedMicroKernel.unitRun(packed, aBase, planes, firstRun, taps, 0, channelBlocks, m, t);
                } else {
                    BlockedMicroKernel.unitStep(packed, aBase, planes, firstRun, firstRun + RUN * b, taps, 0, channelBlocks, m, t);
                }
            }
        }
        m[m.length - 1] = read;
        for (int tile = first; tile < last; tile++) {
            int run = 2 * tile;
            // the job's last run may end past its last block (a 7x7 map's 16 blocks a sample)
            int count = Math.min(run + 1 == callRuns ? RUN : 2 * RUN, callSamples * blocks - run * RUN);
            for (int p = 0; p < count; p++) {
                int block = run * RUN + p;
                for (int v = 0; v < NC; v += L) {
                    outputTransform(m, (tile - first) * XI * TILE_FLOATS + p * NC + v, callSample + block / blocks, block % blocks, panel * NC + v);
                }
            }
        }
    }

    /**
     * Y = Aᵀ M A for output block {@code block} of {@code sample} and the 16 channels from {@code channel}, whose
     * 16 products sit {@link #TILE_FLOATS} apart from {@code at} in {@code m}; then bias, residual, activation, store.
     */
    private void outputTransform(float[] m, int at, int sample, int block, int channel) {
        Epilogue e = callEpilogue;
        float[] bias = e.bias() == null ? noBias : e.bias();
        int f = TILE_FLOATS;
        FloatVector m0 = FloatVector.fromArray(S, m, at);
        FloatVector m1 = FloatVector.fromArray(S, m, at + f);
        FloatVector m2 = FloatVector.fromArray(S, m, at + 2 * f);
        FloatVector m3 = FloatVector.fromArray(S, m, at + 3 * f);
        FloatVector m4 = FloatVector.fromArray(S, m, at + 4 * f);
        FloatVector m5 = FloatVector.fromArray(S, m, at + 5 * f);
        FloatVector m6 = FloatVector.fromArray(S, m, at + 6 * f);
        FloatVector m7 = FloatVector.fromArray(S, m, at + 7 * f);
        FloatVector m8 = FloatVector.fromArray(S, m, at + 8 * f);
        FloatVector m9 = FloatVector.fromArray(S, m, at + 9 * f);
        FloatVector m10 = FloatVector.fromArray(S, m, at + 10 * f);
        FloatVector m11 = FloatVector.fromArray(S, m, at + 11 * f);
        FloatVector m12 = FloatVector.fromArray(S, m, at + 12 * f);
        FloatVector m13 = FloatVector.fromArray(S, m, at + 13 * f);
        FloatVector m14 = FloatVector.fromArray(S, m, at + 14 * f);
        FloatVector m15 = FloatVector.fromArray(S, m, at + 15 * f);
        // Aᵀ M: rows 0 + 1 + 2 and 1 - 2 - 3, for each of the four columns
        FloatVector s0 = m0.add(m4).add(m8), s1 = m1.add(m5).add(m9), s2 = m2.add(m6).add(m10), s3 = m3.add(m7).add(m11);
        FloatVector r0 = m4.sub(m8).sub(m12), r1 = m5.sub(m9).sub(m13), r2 = m6.sub(m10).sub(m14), r3 = m7.sub(m11).sub(m15);
        FloatVector bv = FloatVector.fromArray(S, bias, channel);
        FloatVector y00 = s0.add(s1).add(s2).add(bv);
        FloatVector y01 = s1.sub(s2).sub(s3).add(bv);
        FloatVector y10 = r0.add(r1).add(r2).add(bv);
        FloatVector y11 = r1.sub(r2).sub(r3).add(bv);
        int b = ChannelBlocks.BLOCK;
        int by = block / blocksPerRow * 2;
        int bx = block % blocksPerRow * 2;
        float[] residual = e.residual();
        if (residual != null) {
            // the residual is blocked, unframed or in the frame its other reader wants; on an odd map the last
            // block's second column or row has none (those outputs are not stored)
            ChannelBlocks.Frame rf = e.residualFrame() != null ? e.residualFrame() : unframed;
            int pitch = rf.width() * b;
            int r = sample * rf.floats(g.co()) + (channel / b * rf.height() * rf.width() + (by + rf.top()) * rf.width() + bx + rf.left()) * b;
            y00 = y00.add(FloatVector.fromArray(S, residual, r));
            if (bx + 1 < g.ow()) {
                y01 = y01.add(FloatVector.fromArray(S, residual, r + b));
            }
            if (by + 1 < g.oh()) {
                y10 = y10.add(FloatVector.fromArray(S, residual, r + pitch));
            }
            if (bx + 1 < g.ow() && by + 1 < g.oh()) {
                y11 = y11.add(FloatVector.fromArray(S, residual, r + pitch + b));
            }
        }
        if (e.clamps()) {
            y00 = y00.blend(0f, y00.lt(0f));
            y01 = y01.blend(0f, y01.lt(0f));
            y10 = y10.blend(0f, y10.lt(0f));
            y11 = y11.blend(0f, y11.lt(0f));
        }
        int w = outFrame.width();
        int y = by + outFrame.top();
        int x = bx + outFrame.left();
        int o = callSlice.base(sample) - callOutShift + (channel / b * outFrame.height() * w + y * w + x) * b;
        // on an odd map the last block's second column or row lies outside it: computed, not stored
        boolean right = bx + 1 < g.ow();
        boolean below = by + 1 < g.oh();
        y00.intoArray(callOut, o);
        if (right) {
            y01.intoArray(callOut, o + b);
        }
        if (below) {
            y10.intoArray(callOut, o + w * b);
        }
        if (right && below) {
            y11.intoArray(callOut, o + w * b + b);
        }
    }
}
