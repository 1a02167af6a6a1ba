package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 3x3 convolution at stride 1 with padding 1 by Winograd's minimal filtering (Lavin and Gray, 2015). On
 * maps cut into whole 4x4 blocks whose rows fill runs of 7 (28 and 56 wide), F(4x4, 3x3): each 4x4 block of
 * outputs from a 6x6 block of inputs in 36 multiplications per channel pair instead of 144, 4 times fewer.
 * Elsewhere F(2x2, 3x3): each 2x2 block from a 4x4 block in 16 instead of 36, 2.25 times fewer. Blocked
 * input inside its zero frame, blocked output. Below, m is the block's side (2 or 4) and ξ runs over the
 * (m + 2)² transformed positions.
 *
 * <p>A task takes one weight panel of 32 output channels and one group of micro-kernel tiles (14 blocks
 * each; at one sample 4 of 2x2 blocks or 2 of 4x4 ones, up to 16 or 8 running across the samples of a
 * batch on small maps), in three parts:
 * <ol>
 *   <li>The input transform of the group's blocks, unless the thread's last task was the same group's:
 *       each (m + 2)² input block d becomes V = Bᵀ d B, one vector per 16 channels, and its values go to one
 *       plane per ξ, V[ξ][channel block][block of the group][16], a 1x1 convolution's input each. The
 *       group's blocks run on from one sample into the next (a 7x7 map has 16 blocks). V goes to a buffer
 *       of the thread's own ({@link ThreadOwnInput}) and stays in L2 for the group's panels: transformed
 *       whole beforehand, by both threads, VGG-16's V (49 MiB at 224x224) went through memory, and a
 *       thread multiplied the part the other had transformed out of the other core's cache.</li>
 *   <li>The products M[ξ] = U[ξ] V[ξ], summed over the input channels on {@link BlockedMicroKernel}'s
 *       14x32 tile as one 1x1 convolution per ξ, where U = G g Gᵀ is the 3x3 kernel g transformed once, at
 *       construction. Each U[ξ] panel is read into L1 once per task ({@link SliceReader}).</li>
 *   <li>While its products are still in L2: the output transform Y = Aᵀ M A, the bias, the activation,
 *       and the store of the m x m outputs.</li>
 * </ol>
 * F(2x2, 3x3)'s transforms are additions and subtractions and its G's halves are exact in float; F(4x4, 3x3)'s
 * multiply by up to 8 and its G has sixths (U is computed in double and rounded once), so it rounds more. Both
 * differ from the direct sum by rounding alone, within the float64 oracle's tolerance ({@code WinogradConvTest}).
 * The task count and ordering follow {@link ChannelVectorConv}'s: every panel of one group of tiles
 * before the next group, so that each core keeps to its own rows of the map and transforms each of its
 * groups once.
 */
public final class WinogradConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
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
    /** The same for 4x4 output blocks, whose V has 36 planes instead of 16: a task's V about as large. */
    private static final int TILES_PER_TASK_4X4 = 2;
    /**
     * Transformed inputs of a job's samples together, in floats (8 MiB): a batch on small maps runs several
     * samples as one job, so that a task's tiles run on from one sample into the next under the same U[ξ]
     * panel, read once for up to {@link #MAX_TILES_PER_TASK} tiles instead of once per sample. (A 13x13 map
     * has four tiles; its U, 16/9 of the weights, was most of the time streamed sample by sample.)
     */
    private static final int JOB_FLOATS = 2 << 20;
    private static final int MAX_TILES_PER_TASK = 16;
    private static final int MAX_TILES_PER_TASK_4X4 = 8;
    /**
     * On a map whose 2x2 blocks do not fill runs of 7 (7x7: 16), the runs go on from one sample into the
     * next, and only the job's last run is partly empty: such a layer runs here when its jobs have at
     * least this many blocks (four tiles), so that the empty slots and U are spread over several samples.
     */
    private static final int MIN_JOB_BLOCKS = 4 * BlockedMicroKernel.PIXELS;
    /** Tasks a job of several samples is cut into, with the panels: enough for every thread. */
    private static final int TARGET_TASKS = 16;
    /** A thread's buffer for F(4x4, 3x3)'s transforms between their two halves: 36 vectors. */
    private static final ThreadLocal<float[]> COLUMNS = ThreadLocal.withInitial(() -> new float[36 * L]);

    private final ConvGeometry g;
    /** Outputs along an output block's side: 2 (F(2x2, 3x3)) or 4 (F(4x4, 3x3)); its input block's side is 2 more. */
    private final int outputs;
    /** Transformed positions ξ of an input block: 16 or 36. */
    private final int points;
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
     * Outputs along the side of the blocks a layer it {@link #handles} is computed in: 4 (F(4x4, 3x3), 2.25
     * multiplications an output instead of 4) where the map is cut into whole 4x4 blocks whose rows fill runs of
     * 7 (28 or 56 wide), 2 elsewhere. On a 14x14 map a quarter of the 4x4 blocks' outputs would fall outside it,
     * and 4x4 blocks were slower there. U is then 36 weights per channel pair (38 MB at 512 x 512 channels), and
     * VGG-16's 512-channel layers on 28x28 took 5 to 9% off its time at batch 1 and 13 to 15% at 16 on them.
     */
    public static int outputsPerBlock(ConvGeometry g) {
        return g.oh() % 4 == 0 && g.ow() % 4 == 0 && g.ow() / 4 % RUN == 0 ? 4 : 2;
    }

    /**
     * The zero frame its input must arrive in: the padding all round, and on a map of odd height or width one
     * more zero row or column below or to the right, which the last 4x4 input blocks reach. On an even map
     * this is {@link ChannelBlocks.Frame#around} the layer.
     */
    public static ChannelBlocks.Frame inputFrame(ConvGeometry g) {
        int m = outputsPerBlock(g);
        return new ChannelBlocks.Frame(m * blocksDown(g) + 2, m * blocksAcross(g) + 2, 1, 1);
    }

    private static int blocksDown(ConvGeometry g) {
        int m = outputsPerBlock(g);
        return (g.oh() + m - 1) / m;
    }

    private static int blocksAcross(ConvGeometry g) {
        int m = outputsPerBlock(g);
        return (g.ow() + m - 1) / m;
    }

    /** Transformed positions of an input block: (m + 2)². */
    private static int points(ConvGeometry g) {
        int side = outputsPerBlock(g) + 2;
        return side * side;
    }

    private static int blocks(ConvGeometry g) {
        return blocksDown(g) * blocksAcross(g);
    }

    /** Samples of a batch of {@code n} run as one job: their V would take up to {@link #JOB_FLOATS}. */
    private static int jobSamples(ConvGeometry g, int n) {
        return Math.max(1, Math.min(n, JOB_FLOATS / (points(g) * g.ci() * blocks(g))));
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
        this.outputs = outputsPerBlock(g);
        this.points = points(g);
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

    /** U = G g Gᵀ for every pair of channels, in double and rounded once, packed [ξ][panel][input channel][32]. */
    private static float[] pack(ConvGeometry g, float[] weight) {
        int ci = g.ci();
        int panels = g.co() / NC;
        int side = outputsPerBlock(g) + 2;
        float[] packed = new float[side * side * g.co() * ci];
        double[][] gm = side == 6 ? WinogradTransforms.G_4X4 : WinogradTransforms.G_2X2;
        for (int o = 0; o < g.co(); o++) {
            for (int c = 0; c < ci; c++) {
                int w = (o * ci + c) * 9;
                for (int i = 0; i < side; i++) {
                    for (int j = 0; j < side; j++) {
                        double u = 0;
                        for (int a = 0; a < 3; a++) {
                            for (int b = 0; b < 3; b++) {
                                u += gm[i][a] * weight[w + a * 3 + b] * gm[j][b];
                            }
                        }
                        int xi = i * side + j;
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
        // one sample: the measured 4 tiles a task (2 of 4x4 blocks); several: as many as leave enough tasks
        int groupsWanted = Math.max(1, (TARGET_TASKS + panels - 1) / panels);
        int least = outputs == 4 ? TILES_PER_TASK_4X4 : TILES_PER_TASK;
        int most = outputs == 4 ? MAX_TILES_PER_TASK_4X4 : MAX_TILES_PER_TASK;
        callTilesPerTask = callSamples == 1 ? least : Math.max(least, Math.min(most, (tiles + groupsWanted - 1) / groupsWanted));
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
        float[] v = own.floats(points * g.ci() * stride);
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
        float[] columns = outputs == 4 ? COLUMNS.get() : null;
        for (int cb = 0; cb < channelBlocks; cb++) {
            for (int block = b0; block < b1; block++) {
                int sample = block / blocks;
                int row = block % blocks / blocksPerRow;
                int x = block % blocksPerRow;
                // the frame's zero border is the padding: block (row, x) reads framed rows m row .. m row + m + 1
                int r0 = (callSample + sample) * inFrame.floats(g.ci()) + (cb * inFrame.height() * w + outputs * row * w) * b;
                int to = (cb * stride + block - b0) * b;
                if (outputs == 4) {
                    WinogradTransforms.input4x4(callIn, r0 + 4 * x * b, w * b, b, columns, v, to, plane);
                } else {
                    WinogradTransforms.input(callIn, r0 + 2 * x * b, w * b, b, v, to, plane);
                }
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
        if (m == null || m.length < (last - first) * points * TILE_FLOATS + 1) {
            m = new float[callTilesPerTask * points * TILE_FLOATS + 1]; // the first job, or one of more tiles than that
            sums.set(m);
        }
        float[] planes = groupV(group, first, last);
        int plane = g.ci() * groupStride();
        int b = ChannelBlocks.BLOCK;
        int panelFloats = g.ci() * NC;
        float read = 0;
        for (int xi = 0; xi < points; xi++) {
            int aBase = (xi * panels + panel) * panelFloats;
            read += SliceReader.read(packed, aBase, aBase + panelFloats);
            for (int tile = first; tile < last; tile++) {
                int run = 2 * tile;
                int firstRun = xi * plane + (tile - first) * BlockedMicroKernel.PIXELS * b;
                int t = ((tile - first) * points + xi) * TILE_FLOATS;
                if (run + 1 == callRuns) {
                    BlockedMicroKernel.unitRun(packed, aBase, planes, firstRun, taps, 0, channelBlocks, m, t);
                } else {
                    BlockedMicroKernel.unitStep(packed, aBase, planes, firstRun, firstRun + RUN * b, taps, 0, channelBlocks, m, t);
                }
            }
        }
        m[m.length - 1] = read;
        float[] columns = outputs == 4 ? COLUMNS.get() : null;
        for (int tile = first; tile < last; tile++) {
            int run = 2 * tile;
            // the job's last run may end past its last block (a 7x7 map's 16 blocks a sample)
            int count = Math.min(run + 1 == callRuns ? RUN : 2 * RUN, callSamples * blocks - run * RUN);
            for (int p = 0; p < count; p++) {
                int block = run * RUN + p;
                for (int v = 0; v < NC; v += L) {
                    int at = (tile - first) * points * TILE_FLOATS + p * NC + v;
                    if (outputs == 4) {
                        outputTransform4x4(m, at, callSample + block / blocks, block % blocks, panel * NC + v, columns);
                    } else {
                        outputTransform(m, at, callSample + block / blocks, block % blocks, panel * NC + v);
                    }
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

    /**
     * Y = Aᵀ M A for 4x4 output block {@code block} of {@code sample} and the 16 channels from {@code channel}, whose
     * 36 products sit {@link #TILE_FLOATS} apart from {@code at} in {@code m}: Aᵀ down each column into a thread's
     * buffer {@code half} (24 vectors), then row by row · A, the bias, residual and activation, and the store. The
     * map holds whole blocks.
     */
    private void outputTransform4x4(float[] m, int at, int sample, int block, int channel, float[] half) {
        int f = TILE_FLOATS;
        for (int j = 0; j < 6; j++) {
            WinogradTransforms.output4x4Column(m, at + j * f, 6 * f, half, j * L, 6 * L);
        }
        Epilogue e = callEpilogue;
        float[] bias = e.bias() == null ? noBias : e.bias();
        int b = ChannelBlocks.BLOCK;
        int by = block / blocksPerRow * 4;
        int bx = block % blocksPerRow * 4;
        float[] residual = e.residual();
        int r = 0;
        int residualPitch = 0;
        if (residual != null) {
            ChannelBlocks.Frame rf = e.residualFrame() != null ? e.residualFrame() : unframed;
            residualPitch = rf.width() * b;
            int rw = rf.width();
            r = sample * rf.floats(g.co()) + (channel / b * rf.height() * rw + (by + rf.top()) * rw + bx + rf.left()) * b;
        }
        int w = outFrame.width();
        int o = callSlice.base(sample) - callOutShift
                + (channel / b * outFrame.height() * w + (by + outFrame.top()) * w + bx + outFrame.left()) * b;
        for (int i = 0; i < 4; i++) {
            outputRow4x4(half, i * 6 * L, bias, channel, residual, r + i * residualPitch, e.clamps(), callOut, o + i * w * b);
        }
    }

    /**
     * · A along the row of 6 vectors from {@code at} in half (A's columns as {@link WinogradTransforms#output4x4Column}'s
     * rows), the bias from {@code channel}, the residual's 4 pixels from r when there is one, ReLU when asked: 4 pixels
     * into out from o.
     */
    private static void outputRow4x4(float[] half, int at, float[] bias, int channel, float[] residual, int r, boolean relu,
            float[] out, int o) {
        FloatVector m0 = FloatVector.fromArray(S, half, at), m1 = FloatVector.fromArray(S, half, at + L);
        FloatVector m2 = FloatVector.fromArray(S, half, at + 2 * L), m3 = FloatVector.fromArray(S, half, at + 3 * L);
        FloatVector m4 = FloatVector.fromArray(S, half, at + 4 * L), m5 = FloatVector.fromArray(S, half, at + 5 * L);
        FloatVector bv = FloatVector.fromArray(S, bias, channel);
        FloatVector sum12 = m1.add(m2), diff12 = m1.sub(m2), sum34 = m3.add(m4), diff34 = m3.sub(m4);
        FloatVector y0 = m0.add(sum12).add(sum34).add(bv);
        FloatVector y1 = diff34.fma(FloatVector.broadcast(S, 2f), diff12).add(bv);
        FloatVector y2 = sum34.fma(FloatVector.broadcast(S, 4f), sum12).add(bv);
        FloatVector y3 = diff34.fma(FloatVector.broadcast(S, 8f), diff12).add(m5).add(bv);
        if (residual != null) {
            y0 = y0.add(FloatVector.fromArray(S, residual, r));
            y1 = y1.add(FloatVector.fromArray(S, residual, r + L));
            y2 = y2.add(FloatVector.fromArray(S, residual, r + 2 * L));
            y3 = y3.add(FloatVector.fromArray(S, residual, r + 3 * L));
        }
        if (relu) {
            y0 = y0.blend(0f, y0.lt(0f));
            y1 = y1.blend(0f, y1.lt(0f));
            y2 = y2.blend(0f, y2.lt(0f));
            y3 = y3.blend(0f, y3.lt(0f));
        }
        y0.intoArray(out, o);
        y1.intoArray(out, o + L);
        y2.intoArray(out, o + 2 * L);
        y3.intoArray(out, o + 3 * L);
    }
}
