package dev.fovea.runtime.kernels.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.ConvGeometry;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * Convolution for training, and the one place that chooses how it runs. A convolution of one group
 * with a kernel larger than 1x1, whose batch fills its groups of vector lanes at least three quarters,
 * runs with the samples in the lanes ({@link ConvInLanes}: direct kernels, no im2col), but for the stride-2
 * 3x3 layers that {@link #productsPay} names. The others run
 * forward and backward side by side as GEMMs over an im2col matrix (K = ci/groups * kh * kw rows by P = oh * ow columns per sample; one sample of a 1x1 stride-1 convolution
 * is read in place):
 * <pre>
 *   forward      y[g]    (cog x P)  = W[g] (cog x K) . col[g] (K x P) + bias
 *   weight grad  dW[g]^T (K x cog) += col[g] (K x P) . dy[g]^T (P x cog)
 *   data grad    dcol    (K x P)    = W[g]^T (K x cog) . dy[g] (cog x P), scattered back by col2im
 * </pre>
 * Samples of the smallest maps are taken together, side by side in one matrix of at least {@link #COLUMNS}
 * columns, so that the products are wide enough to run at speed. All three are {@link Gemm#nn}; the
 * weight gradient is summed transposed (so that its B operand, the output gradient transposed, has
 * contiguous rows) and turned back when the partial sums are added. The batch is split into a fixed
 * number of tasks, each a fixed range of samples with its own scratch and its own partial weight
 * gradient; the partials are added in task order. So the result depends on the number of tasks, never
 * on which thread ran which.
 */
public final class ConvTrain {
    /** Columns a product should have at least: samples of small maps are taken together, side by side. */
    private static final int COLUMNS = 1024;
    /**
     * Output positions from which a sample is a product of its own (outside wide rows), read and written in place:
     * gathering the samples of 14x14 and 28x28 maps side by side and dealing them out again cost more than the
     * wider product saved (ResNet-50's products on those maps 4 to 20% faster alone, docs/PERFORMANCE.md). The 7x7
     * maps (49 columns, one panel and a half) are still taken together.
     */
    private static final int OWN_PRODUCT = 128;

    private final ConvGeometry g;
    private final int batch;
    private final int tasks;
    private final int k;
    private final int positions;
    /**
     * Stride 1 on maps whose padding adds little width: outputs are computed on rows as wide as the padded
     * input ({@link #rowWidth}), the extra columns thrown away, so that an im2col row is one copy of the
     * padded input per sample instead of one per output row, and col2im one add loop.
     */
    private final boolean wide;
    private final int rowWidth;
    private final int paddedHeight;
    /** Columns one sample takes in the products: oh x ow, or oh x rowWidth when wide. */
    private final int span;
    /** Floats of one sample's group of padded input planes, with the tail the last rows' extra columns read. */
    private final int paddedSize;
    /**
     * On wide rows the data gradient is a correlation of the output gradient, padded by the kernel's size
     * less one on every side, with the weights flipped: the same product as the forward pass, on rows
     * {@link #gradientWidth} wide, instead of a product into a column gradient folded back by col2im.
     */
    private final int gradientWidth;
    private final int gradientHeight;
    /** Columns one sample's input gradient takes in that product: ih x gradientWidth. */
    private final int gradientSpan;
    private final int gradientPaddedSize;
    /** K of that product: output channels of a group times the kernel's area. */
    private final int flippedK;
    /** Samples per product, and so columns per product. */
    private final int chunk;
    private final int columns;
    /**
     * Shared with the session's other layers: each task's im2col matrix and its gradient (K x chunk P), a
     * chunk's outputs before they go to their samples and its output gradients gathered so (cog x chunk P)
     * and a slice of them transposed (at most 256 x cog), each task's partial weight gradient, and the
     * weights packed for {@link Gemm#nn} once per pass.
     */
    private final Scratch scratch;
    /** The convolution with the samples in vector lanes; null where it runs as products. */
    private final ConvInLanes lanes;
    // The pass's arguments, set before its tasks run: the task bodies read them, so nothing is allocated per pass.
    private float[] x;
    private float[] weight;
    private float[] bias;
    private float[] y;
    private float[] dy;
    private float[] dx;
    private float[] dw;
    private float[] db;
    private final IntConsumer forwardTask = this::forwardTask;
    private final IntConsumer backwardTask = this::backwardTask;
    private final IntConsumer partialsTask = this::addPartials;
    private final IntConsumer biasTask = this::biasTask;

    public ConvTrain(ConvGeometry g, int batch, int threads, Scratch scratch) {
        this.g = g;
        this.batch = batch;
        this.lanes = useLanes(g, batch) ? new ConvInLanes(g, batch, threads, scratch) : null;
        this.tasks = Math.max(1, Math.min(batch, threads));
        this.k = g.k();
        this.positions = g.positions();
        int paddedWidth = g.ow() + g.kw() - 1;
        boolean padsInside = g.oh() + g.kh() - 1 >= g.ih() + g.pt() && paddedWidth >= g.iw() + g.pl(); // no cropping on the far sides
        this.wide = g.sh() == 1 && g.sw() == 1 && g.dh() == 1 && g.dw() == 1 && !g.isPointwise() && g.ow() <= 64 && padsInside
                && paddedWidth * 20 <= g.ow() * 23;
        this.rowWidth = wide ? paddedWidth : g.ow();
        this.paddedHeight = g.oh() + g.kh() - 1;
        this.span = g.oh() * rowWidth;
        this.paddedSize = wide ? g.inputChannelsPerGroup() * paddedHeight * rowWidth + g.kw() - 1 : 0;
        this.gradientWidth = g.ow() + 2 * (g.kw() - 1);
        this.gradientHeight = g.oh() + 2 * (g.kh() - 1);
        this.gradientSpan = g.ih() * gradientWidth;
        this.flippedK = g.outputChannelsPerGroup() * g.kh() * g.kw();
        this.gradientPaddedSize = wide ? g.outputChannelsPerGroup() * gradientHeight * gradientWidth + g.pl() + g.kw() : 0;
        int perTask = (batch + tasks - 1) / tasks;
        this.chunk = !wide && span >= OWN_PRODUCT ? 1 : Math.max(1, Math.min(perTask, (COLUMNS + span - 1) / span));
        this.columns = chunk * span;
        this.scratch = scratch;
        if (lanes != null) {
            return;
        }
        int cog = g.outputChannelsPerGroup();
        scratch.reserve(Scratch.Use.COLUMNS, tasks, k * columns);
        if (!wide) { // wide rows fold no column gradient back: their data gradient is a correlation
            scratch.reserve(Scratch.Use.COLUMN_GRADIENT, tasks, k * columns);
        }
        scratch.reserve(Scratch.Use.OUTPUTS, tasks, cog * columns);
        scratch.reserve(Scratch.Use.OUTPUT_GRADIENT, tasks, cog * columns);
        scratch.reserve(Scratch.Use.TRANSPOSED_GRADIENT, tasks, Math.min(columns, Gemm.KC) * cog);
        scratch.reserve(Scratch.Use.PARTIAL_SUMS, tasks, g.co() * k);
        if (wide) {
            scratch.reserve(Scratch.Use.PADDED, tasks, Math.max(paddedSize, gradientPaddedSize));
            scratch.reserve(Scratch.Use.COLUMNS, tasks, flippedK * chunk * gradientSpan);
            scratch.reserve(Scratch.Use.OUTPUTS, tasks, g.inputChannelsPerGroup() * chunk * gradientSpan);
            scratch.reserve(Scratch.Use.PACKED, 1, 2 * packedSize() + flippedPackedSize());
            scratch.reserve(Scratch.Use.FLIPPED, 1, g.groups() * g.inputChannelsPerGroup() * flippedK);
        }
        // the weights as the forward pass reads them in the first half, transposed in the second
        scratch.reserve(Scratch.Use.PACKED, 1, 2 * packedSize());
    }

    /**
     * Samples in lanes for every convolution of one group with a kernel larger than 1x1 whose batch fills
     * at least three quarters of its groups of lanes: no im2col, every multiply-add a full vector whatever
     * the channels and the size of the maps. A 1x1 convolution has too few multiply-adds per element to pay
     * for moving its input and output into the lanes and back; it stays a product.
     */
    private static boolean useLanes(ConvGeometry g, int batch) {
        int groups = (batch + Lanes.L - 1) / Lanes.L;
        return g.groups() == 1 && g.kh() * g.kw() > 1 && batch * 4 >= groups * Lanes.L * 3 && !productsPay(g);
    }

    /**
     * A 3x3 convolution at stride 2 onto at least 128 channels of at least 14x14 runs faster as products: ResNet's
     * stride-2 layers from 64 to 128 channels on 56x56, 128 to 256 on 28x28, 128 on 56x56 and 256 on 28x28 took 2 to
     * 25% less time forward and backward at batch 16 than in lanes (docs/PERFORMANCE.md). On 7x7 outputs the lanes
     * were level or faster, and with fewer channels (ResNet-20's 16 to 32 on 28x28) twice as fast.
     */
    private static boolean productsPay(ConvGeometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.sh() == 2 && g.sw() == 2 && g.dh() == 1 && g.dw() == 1 && g.co() >= 128 && g.positions() >= 196;
    }

    /** Floats of all groups' packed weights, either way round. */
    private int packedSize() {
        int cog = g.outputChannelsPerGroup();
        return g.groups() * Math.max(Gemm.packedSize(cog, k), Gemm.packedSize(k, cog));
    }

    /** Floats of all groups' flipped weights, packed for the data gradient on wide rows. */
    private int flippedPackedSize() {
        return g.groups() * Gemm.packedSize(g.inputChannelsPerGroup(), flippedK);
    }

    /**
     * How this convolution runs, for profiles: "lanes, Winograd 4x4" or "2x2" (its forward pass and data
     * gradient by Winograd's F(4x4, 3x3) or F(2x2, 3x3), and its weight gradient too from a few channels),
     * "lanes", "1x1 product", "wide rows" or "im2col".
     */
    public String kernel() {
        if (lanes != null) {
            return lanes.winogradTile() == null ? "lanes" : "lanes, Winograd " + lanes.winogradTile().outputs + "x" + lanes.winogradTile().outputs;
        }
        return g.isPointwise() ? "1x1 product" : wide ? "wide rows" : "im2col";
    }

    public ConvGeometry geometry() {
        return g;
    }

    private int first(int task) {
        return (int) ((long) task * batch / tasks);
    }

    /** y = conv(x, weight) + bias for every sample; bias may be null. */
    public void forward(Workers workers, float[] x, float[] weight, float[] bias, float[] y) {
        if (lanes != null) {
            lanes.forward(workers, x, weight, bias, y);
            return;
        }
        int cog = g.outputChannelsPerGroup();
        for (int group = 0; group < g.groups(); group++) {
            Gemm.pack(cog, k, weight, group * cog * k, k, 1, scratch.get(Scratch.Use.PACKED, 0), group * Gemm.packedSize(cog, k));
        }
        this.x = x;
        this.weight = weight;
        this.bias = bias;
        this.y = y;
        workers.parallelFor(tasks, forwardTask);
        this.x = this.weight = this.bias = this.y = null;
    }

    private void forwardTask(int t) {
        for (int b = first(t); b < first(t + 1); b += chunk) {
            forwardChunk(t, b, Math.min(chunk, first(t + 1) - b), x, weight, bias, y);
        }
    }

    /** Samples b0 .. b0 + count - 1, side by side in one product per group. */
    private void forwardChunk(int task, int b0, int count, float[] x, float[] weight, float[] bias, float[] y) {
        int cog = g.outputChannelsPerGroup();
        int cols = count * span;
        for (int group = 0; group < g.groups(); group++) {
            float[] source = columns(task, x, b0, count, group);
            int sourceOff = source == x ? xOffset(b0, group) : 0;
            // one sample of exact rows writes straight into y; else a scratch that is then dealt out
            boolean direct = count == 1 && !wide;
            float[] c = direct ? y : scratch.get(Scratch.Use.OUTPUTS, task);
            int cOff = direct ? b0 * g.outputSize() + group * cog * positions : 0;
            for (int o = 0; o < cog; o++) {
                Arrays.fill(c, cOff + o * cols, cOff + (o + 1) * cols, bias == null ? 0 : bias[group * cog + o]);
            }
            Gemm.nn(cog, cols, k, scratch.get(Scratch.Use.PACKED, 0), group * Gemm.packedSize(cog, k), weight, group * cog * k, k, 1, source, sourceOff, cols, c, cOff,
                    cols);
            if (!direct) {
                dealOut(c, cols, y, b0, count, group);
            }
        }
    }

    /** The chunk's outputs (cog x cols) to their samples' places in y, without the extra columns of wide rows. */
    private void dealOut(float[] c, int cols, float[] y, int b0, int count, int group) {
        int cog = g.outputChannelsPerGroup();
        for (int i = 0; i < count; i++) {
            for (int o = 0; o < cog; o++) {
                int to = (b0 + i) * g.outputSize() + (group * cog + o) * positions;
                int from = o * cols + i * span;
                if (!wide) {
                    System.arraycopy(c, from, y, to, positions);
                    continue;
                }
                for (int oy = 0; oy < g.oh(); oy++) {
                    System.arraycopy(c, from + oy * rowWidth, y, to + oy * g.ow(), g.ow());
                }
            }
        }
    }

    /**
     * Accumulates the gradients of a batch: into dx (when not null) the input's, into dw and db (when not
     * null) the weight's and bias's.
     */
    public void backward(Workers workers, float[] x, float[] weight, float[] dy, float[] dx, float[] dw, float[] db) {
        backward(workers, x, weight, dy, dx, false, dw, db);
    }

    /** Whether {@link #backward} can store the input's gradient instead of adding to it: where it runs in lanes. */
    public boolean storesInputGradient() {
        return lanes != null;
    }

    /**
     * As {@link #backward}, storing the input's gradient into dx with {@code storeDx} (every element written, so
     * dx needs no zeroing first), which only a convolution that {@link #storesInputGradient} does.
     */
    public void backward(Workers workers, float[] x, float[] weight, float[] dy, float[] dx, boolean storeDx, float[] dw, float[] db) {
        if (lanes != null) {
            lanes.backward(workers, x, weight, dy, dx, storeDx, dw, db);
            return;
        }
        if (storeDx) {
            throw new IllegalArgumentException(g + " runs as products, which add to the input's gradient");
        }
        if (dw != null) {
            for (int t = 0; t < tasks; t++) {
                Arrays.fill(scratch.get(Scratch.Use.PARTIAL_SUMS, t), 0, g.co() * k, 0);
            }
        }
        int cog = g.outputChannelsPerGroup();
        if (dx != null && wide) {
            packFlipped(weight);
        } else if (dx != null) {
            for (int group = 0; group < g.groups(); group++) {
                Gemm.pack(k, cog, weight, group * cog * k, 1, k, scratch.get(Scratch.Use.PACKED, 0), packedSize() + group * Gemm.packedSize(k, cog));
            }
        }
        this.x = x;
        this.weight = weight;
        this.dy = dy;
        this.dx = dx;
        this.dw = dw;
        workers.parallelFor(tasks, backwardTask);
        if (dw != null) {
            workers.parallelFor(g.groups() * partialBlocks(), partialsTask);
        }
        if (db != null) {
            biasGradient(workers, dy, db);
        }
        this.x = this.weight = this.dy = this.dx = this.dw = null;
    }

    private void backwardTask(int t) {
        for (int b = first(t); b < first(t + 1); b += chunk) {
            backwardChunk(t, b, Math.min(chunk, first(t + 1) - b), x, weight, dy, dx, dw == null ? null : scratch.get(Scratch.Use.PARTIAL_SUMS, t));
        }
    }

    private void biasGradient(Workers workers, float[] dy, float[] db) {
        this.dy = dy;
        this.db = db;
        workers.parallelFor(g.co(), biasTask);
        this.dy = this.db = null;
    }

    /** db[o] += the sum of channel o's output gradient over the batch, in float64, in order. */
    private void biasTask(int o) {
        double sum = 0;
        for (int b = 0; b < batch; b++) {
            int base = b * g.outputSize() + o * positions;
            for (int p = 0; p < positions; p++) {
                sum += dy[base + p];
            }
        }
        db[o] += (float) sum;
    }

    private void backwardChunk(int task, int b0, int count, float[] x, float[] weight, float[] dy, float[] dx, float[] dw) {
        int cog = g.outputChannelsPerGroup();
        int cols = count * span;
        for (int group = 0; group < g.groups(); group++) {
            // the chunk's output gradient as cog x cols: dy itself for one sample of exact rows, else gathered
            boolean direct = count == 1 && !wide;
            float[] grad = direct ? dy : scratch.get(Scratch.Use.OUTPUT_GRADIENT, task);
            int gradOff = direct ? b0 * g.outputSize() + group * cog * positions : 0;
            if (!direct) {
                gatherGradient(dy, grad, cols, b0, count, group);
            }
            if (dw != null) {
                float[] source = columns(task, x, b0, count, group);
                int sourceOff = source == x ? xOffset(b0, group) : 0;
                if (cog < 4 * Gemm.VECTOR) {
                    // too few output channels to fill a vector: dot products along the positions instead
                    Gemm.nt(k, cog, cols, source, sourceOff, cols, grad, gradOff, cols, dw, group * cog * k, cog);
                } else {
                    // a slice of the product's k at a time, transposed just before the product reads it from L2:
                    // the slices are the product's own, so the sums run as over the whole
                    float[] t = scratch.get(Scratch.Use.TRANSPOSED_GRADIENT, task);
                    for (int p0 = 0; p0 < cols; p0 += Gemm.KC) {
                        int kc = Math.min(Gemm.KC, cols - p0);
                        Lanes.transpose(grad, gradOff + p0, cols, cog, kc, t, 0, cog, false);
                        Gemm.nn(k, cog, kc, source, sourceOff + p0, cols, 1, t, 0, cog, dw, group * cog * k, cog);
                    }
                }
            }
            if (dx != null) {
                float[] packedWT = scratch.get(Scratch.Use.PACKED, 0);
                int packed = packedSize() + group * Gemm.packedSize(k, cog);
                if (g.isPointwise() && count == 1) {
                    Gemm.nn(k, positions, cog, packedWT, packed, weight, group * cog * k, 1, k, grad, gradOff, positions, dx,
                            xOffset(b0, group), positions);
                } else {
                    if (wide) {
                        dataGradientWide(task, dy, weight, dx, b0, count, group);
                    } else {
                        float[] d = scratch.get(Scratch.Use.COLUMN_GRADIENT, task);
                        Arrays.fill(d, 0, k * cols, 0);
                        Gemm.nn(k, cols, cog, packedWT, packed, weight, group * cog * k, 1, k, grad, gradOff, cols, d, 0, cols);
                        col2im(d, dx, b0, count, group);
                    }
                }
            }
        }
    }

    /** dy of samples b0 .. b0 + count - 1 as cog x cols, zero in the extra columns of wide rows (so they add nothing). */
    private void gatherGradient(float[] dy, float[] grad, int cols, int b0, int count, int group) {
        int cog = g.outputChannelsPerGroup();
        for (int i = 0; i < count; i++) {
            for (int o = 0; o < cog; o++) {
                int from = (b0 + i) * g.outputSize() + (group * cog + o) * positions;
                int to = o * cols + i * span;
                if (!wide) {
                    System.arraycopy(dy, from, grad, to, positions);
                    continue;
                }
                for (int oy = 0; oy < g.oh(); oy++) {
                    System.arraycopy(dy, from + oy * g.ow(), grad, to + oy * rowWidth, g.ow());
                    Arrays.fill(grad, to + oy * rowWidth + g.ow(), to + (oy + 1) * rowWidth, 0);
                }
            }
        }
    }

    /** One sample's group of input planes, zero-padded to paddedHeight x rowWidth, into the task's PADDED scratch. */
    private float[] padded(int task, float[] x, int b, int group) {
        float[] p = scratch.get(Scratch.Use.PADDED, task);
        Arrays.fill(p, 0, paddedSize, 0);
        int plane = paddedHeight * rowWidth;
        int xBase = xOffset(b, group);
        for (int ch = 0; ch < g.inputChannelsPerGroup(); ch++) {
            for (int iy = 0; iy < g.ih(); iy++) {
                System.arraycopy(x, xBase + (ch * g.ih() + iy) * g.iw(), p, ch * plane + (iy + g.pt()) * rowWidth + g.pl(), g.iw());
            }
        }
        return p;
    }

    /** The wide-row im2col: row (ch, ky, kx) of a sample is its padded planes from ch, ky, kx on, in one copy. */
    private float[] wideColumns(int task, float[] x, int b0, int count, int group) {
        float[] c = scratch.get(Scratch.Use.COLUMNS, task);
        int cols = count * span;
        int plane = paddedHeight * rowWidth;
        for (int i = 0; i < count; i++) {
            float[] p = padded(task, x, b0 + i, group);
            int row = 0;
            for (int ch = 0; ch < g.inputChannelsPerGroup(); ch++) {
                for (int ky = 0; ky < g.kh(); ky++) {
                    for (int kx = 0; kx < g.kw(); kx++, row++) {
                        System.arraycopy(p, ch * plane + ky * rowWidth + kx, c, row * cols + i * span, span);
                    }
                }
            }
        }
        return c;
    }

    /**
     * The flipped weights of every group, W'[c][o][ky'][kx'] = W[o][c][kh-1-ky'][kw-1-kx'] (cig x cog kh kw),
     * kept in FLIPPED (the product reads the rows after the last whole block of 8 there) and packed after
     * the forward and transposed weights.
     */
    private void packFlipped(float[] weight) {
        int cig = g.inputChannelsPerGroup();
        int cog = g.outputChannelsPerGroup();
        int area = g.kh() * g.kw();
        float[] flipped = scratch.get(Scratch.Use.FLIPPED, 0);
        float[] packed = scratch.get(Scratch.Use.PACKED, 0);
        for (int group = 0; group < g.groups(); group++) {
            int base = group * cig * flippedK;
            for (int c = 0; c < cig; c++) {
                for (int o = 0; o < cog; o++) {
                    int from = ((group * cog + o) * cig + c) * area;
                    int to = base + (c * cog + o) * area;
                    for (int t = 0; t < area; t++) {
                        flipped[to + t] = weight[from + area - 1 - t];
                    }
                }
            }
            Gemm.pack(cig, flippedK, flipped, base, flippedK, 1, packed, 2 * packedSize() + group * Gemm.packedSize(cig, flippedK));
        }
    }

    /**
     * dx += the correlation of dy (padded by kh-1 rows and kw-1 columns on each side) with the flipped
     * weights, for samples b0 .. b0 + count - 1 of a group: dx[c][iy][ix] = sum over o, ky', kx' of
     * W'[c][o][ky'][kx'] dypad[o][iy + pt + ky'][ix + pl + kx'], computed on rows gradientWidth wide.
     */
    private void dataGradientWide(int task, float[] dy, float[] weight, float[] dx, int b0, int count, int group) {
        int cig = g.inputChannelsPerGroup();
        int cog = g.outputChannelsPerGroup();
        int cols = count * gradientSpan;
        int plane = gradientHeight * gradientWidth;
        float[] rows = scratch.get(Scratch.Use.COLUMNS, task);
        float[] p = scratch.get(Scratch.Use.PADDED, task);
        for (int i = 0; i < count; i++) {
            Arrays.fill(p, 0, gradientPaddedSize, 0);
            int dyBase = (b0 + i) * g.outputSize() + group * cog * positions;
            for (int o = 0; o < cog; o++) {
                for (int oy = 0; oy < g.oh(); oy++) {
                    System.arraycopy(dy, dyBase + (o * g.oh() + oy) * g.ow(), p, o * plane + (oy + g.kh() - 1) * gradientWidth + g.kw() - 1,
                            g.ow());
                }
            }
            int row = 0;
            for (int o = 0; o < cog; o++) {
                for (int ky = 0; ky < g.kh(); ky++) {
                    for (int kx = 0; kx < g.kw(); kx++, row++) {
                        System.arraycopy(p, o * plane + (g.pt() + ky) * gradientWidth + g.pl() + kx, rows, row * cols + i * gradientSpan,
                                gradientSpan);
                    }
                }
            }
        }
        float[] c = scratch.get(Scratch.Use.OUTPUTS, task);
        Arrays.fill(c, 0, cig * cols, 0);
        Gemm.nn(cig, cols, flippedK, scratch.get(Scratch.Use.PACKED, 0), 2 * packedSize() + group * Gemm.packedSize(cig, flippedK),
                scratch.get(Scratch.Use.FLIPPED, 0), group * cig * flippedK, flippedK, 1, rows, 0, cols, c, 0, cols);
        for (int i = 0; i < count; i++) {
            int xBase = xOffset(b0 + i, group);
            for (int ch = 0; ch < cig; ch++) {
                for (int iy = 0; iy < g.ih(); iy++) {
                    int to = xBase + (ch * g.ih() + iy) * g.iw();
                    int from = ch * cols + i * gradientSpan + iy * gradientWidth;
                    for (int ix = 0; ix < g.iw(); ix++) {
                        dx[to + ix] += c[from + ix];
                    }
                }
            }
        }
    }

    /**
     * Task (group, block of L output channels): the tasks' partial weight gradients (K x cog each) added
     * into dw (co x K) in task order, transposed in register tiles.
     */
    private void addPartials(int task) {
        int cog = g.outputChannelsPerGroup();
        int blocks = partialBlocks();
        int group = task / blocks;
        int c0 = task % blocks * Lanes.L;
        int width = Math.min(Lanes.L, cog - c0);
        for (int t = 0; t < tasks; t++) {
            Lanes.transpose(scratch.get(Scratch.Use.PARTIAL_SUMS, t), group * cog * k + c0, cog, k, width, dw, (group * cog + c0) * k, k, true);
        }
    }

    /** Blocks of L output channels per group, for {@link #addPartials}. */
    private int partialBlocks() {
        return (g.outputChannelsPerGroup() + Lanes.L - 1) / Lanes.L;
    }

    private int xOffset(int b, int group) {
        return b * g.inputSize() + group * g.inputChannelsPerGroup() * g.ih() * g.iw();
    }

    /**
     * The K x (count P) matrix of samples b0 .. b0 + count - 1 of a group, side by side: the input itself for
     * one sample of a 1x1 stride-1 convolution, else im2col into scratch.
     */
    private float[] columns(int task, float[] x, int b0, int count, int group) {
        if (g.isPointwise() && count == 1) {
            return x;
        }
        if (wide) {
            return wideColumns(task, x, b0, count, group);
        }
        float[] c = scratch.get(Scratch.Use.COLUMNS, task);
        int cols = count * positions;
        int cig = g.inputChannelsPerGroup();
        if (g.isPointwise()) { // each channel's plane is a row of the matrix: one copy a sample and channel
            for (int i = 0; i < count; i++) {
                int xBase = xOffset(b0 + i, group);
                for (int ch = 0; ch < cig; ch++) {
                    System.arraycopy(x, xBase + ch * positions, c, ch * cols + i * positions, positions);
                }
            }
            return c;
        }
        if (g.kw() == 3 && g.sw() == 2 && g.dw() == 1) {
            pairedColumns(c, cols, x, b0, count, group);
            return c;
        }
        for (int i = 0; i < count; i++) {
            int xBase = xOffset(b0 + i, group);
            int row = 0;
            for (int ch = 0; ch < cig; ch++) {
                for (int ky = 0; ky < g.kh(); ky++) {
                    for (int kx = 0; kx < g.kw(); kx++, row++) {
                        int from = firstColumn(kx);
                        int to = endColumn(kx);
                        for (int oy = 0; oy < g.oh(); oy++) {
                            int at = row * cols + i * positions + oy * g.ow();
                            int iy = oy * g.sh() - g.pt() + ky * g.dh();
                            if (iy < 0 || iy >= g.ih() || from >= to) {
                                Arrays.fill(c, at, at + g.ow(), 0);
                                continue;
                            }
                            Arrays.fill(c, at, at + from, 0);
                            Arrays.fill(c, at + to, at + g.ow(), 0);
                            int source = xBase + (ch * g.ih() + iy) * g.iw() + from * g.sw() - g.pl() + kx * g.dw();
                            if (g.sw() == 1) {
                                System.arraycopy(x, source, c, at + from, to - from);
                            } else {
                                for (int ox = from; ox < to; ox++, source += g.sw()) {
                                    c[at + ox] = x[source];
                                }
                            }
                        }
                    }
                }
            }
        }
        return c;
    }

    /**
     * im2col for a kernel 3 taps wide at column stride 2 (ResNet's stride-2 layers): a kernel row's three taps read one
     * input row at columns 2 ox - pl, 2 ox - pl + 1 and 2 ox - pl + 2, so the three matrix rows are filled in one pass
     * over the output row, not three, each read shared by two taps; columns a tap reads outside the input are zero.
     */
    private void pairedColumns(float[] c, int cols, float[] x, int b0, int count, int group) {
        int ow = g.ow();
        int from0 = firstColumn(0), from1 = firstColumn(1), from2 = firstColumn(2);
        int to0 = endColumn(0), to1 = endColumn(1), to2 = endColumn(2);
        int lo = Math.max(from0, Math.max(from1, from2));
        int hi = Math.max(lo, Math.min(to0, Math.min(to1, to2)));
        for (int i = 0; i < count; i++) {
            int xBase = xOffset(b0 + i, group);
            for (int ch = 0; ch < g.inputChannelsPerGroup(); ch++) {
                for (int ky = 0; ky < g.kh(); ky++) {
                    int row = (ch * g.kh() + ky) * 3;
                    for (int oy = 0; oy < g.oh(); oy++) {
                        int r0 = row * cols + i * positions + oy * ow;
                        int r1 = r0 + cols;
                        int r2 = r1 + cols;
                        int iy = oy * g.sh() - g.pt() + ky * g.dh();
                        if (iy < 0 || iy >= g.ih()) {
                            Arrays.fill(c, r0, r0 + ow, 0);
                            Arrays.fill(c, r1, r1 + ow, 0);
                            Arrays.fill(c, r2, r2 + ow, 0);
                            continue;
                        }
                        int s = xBase + (ch * g.ih() + iy) * g.iw() - g.pl(); // tap kx of column ox reads s + 2 ox + kx
                        for (int ox = 0; ox < lo; ox++) {
                            c[r0 + ox] = ox >= from0 && ox < to0 ? x[s + 2 * ox] : 0;
                            c[r1 + ox] = ox >= from1 && ox < to1 ? x[s + 2 * ox + 1] : 0;
                            c[r2 + ox] = ox >= from2 && ox < to2 ? x[s + 2 * ox + 2] : 0;
                        }
                        for (int ox = lo; ox < hi; ox++) {
                            int at = s + 2 * ox;
                            c[r0 + ox] = x[at];
                            c[r1 + ox] = x[at + 1];
                            c[r2 + ox] = x[at + 2];
                        }
                        for (int ox = hi; ox < ow; ox++) {
                            c[r0 + ox] = ox >= from0 && ox < to0 ? x[s + 2 * ox] : 0;
                            c[r1 + ox] = ox >= from1 && ox < to1 ? x[s + 2 * ox + 1] : 0;
                            c[r2 + ox] = ox >= from2 && ox < to2 ? x[s + 2 * ox + 2] : 0;
                        }
                    }
                }
            }
        }
    }

    /**
     * col2im for a kernel 3 taps wide at column stride 2, the inverse of {@link #pairedColumns}: one pass over an output
     * row adds a kernel row's three taps into the input row. Input column 2 m - pl + 2 takes tap 2 of column m and tap 0
     * of column m + 1; tap 0's is added first, as the tap-by-tap loop adds them, so the bits are the same.
     */
    private void pairedCol2im(float[] d, int cols, float[] dx, int b0, int count, int group) {
        int ow = g.ow();
        int from0 = firstColumn(0), from1 = firstColumn(1), from2 = firstColumn(2);
        int to0 = endColumn(0), to1 = endColumn(1), to2 = endColumn(2);
        // the columns m whose three taps all fall inside the input row
        int lo = Math.max(from0 - 1, Math.max(from1, from2));
        int hi = Math.min(to0 - 1, Math.min(to1, to2));
        for (int i = 0; i < count; i++) {
            int xBase = xOffset(b0 + i, group);
            for (int ch = 0; ch < g.inputChannelsPerGroup(); ch++) {
                for (int ky = 0; ky < g.kh(); ky++) {
                    int row = (ch * g.kh() + ky) * 3;
                    for (int oy = 0; oy < g.oh(); oy++) {
                        int iy = oy * g.sh() - g.pt() + ky * g.dh();
                        if (iy < 0 || iy >= g.ih()) {
                            continue;
                        }
                        int r0 = row * cols + i * positions + oy * ow;
                        int r1 = r0 + cols;
                        int r2 = r1 + cols;
                        int s = xBase + (ch * g.ih() + iy) * g.iw() - g.pl(); // tap kx of column ox adds into s + 2 ox + kx
                        // column 2 m + 2 from s: tap 0 of m + 1 first, then tap 2 of m; column 2 m + 1: tap 1 of m
                        for (int m = -1; m < lo; m++) {
                            addTaps(d, r0, r1, r2, dx, s, m, from0, to0, from1, to1, from2, to2);
                        }
                        for (int m = lo; m < hi; m++) {
                            int even = s + 2 * m + 2;
                            dx[even] = dx[even] + d[r0 + m + 1] + d[r2 + m];
                            dx[even - 1] += d[r1 + m];
                        }
                        for (int m = Math.max(lo, hi); m < ow; m++) {
                            addTaps(d, r0, r1, r2, dx, s, m, from0, to0, from1, to1, from2, to2);
                        }
                    }
                }
            }
        }
    }

    /** {@link #pairedCol2im}'s step m at the row's ends, each tap only where it falls inside the input row. */
    private static void addTaps(float[] d, int r0, int r1, int r2, float[] dx, int s, int m, int from0, int to0, int from1, int to1, int from2,
            int to2) {
        int even = s + 2 * m + 2;
        if (m + 1 >= from0 && m + 1 < to0) {
            dx[even] += d[r0 + m + 1];
        }
        if (m >= from2 && m < to2) {
            dx[even] += d[r2 + m];
        }
        if (m >= from1 && m < to1) {
            dx[even - 1] += d[r1 + m];
        }
    }

    /** The first output column whose tap kx reads inside the input row. */
    private int firstColumn(int kx) {
        int offset = kx * g.dw() - g.pl(); // ix = ox * sw + offset
        return offset >= 0 ? 0 : Math.min(g.ow(), (-offset + g.sw() - 1) / g.sw());
    }

    /** One past the last output column whose tap kx reads inside the input row. */
    private int endColumn(int kx) {
        int offset = kx * g.dw() - g.pl();
        int last = g.iw() - 1 - offset; // ox * sw <= last
        return last < 0 ? 0 : Math.min(g.ow(), last / g.sw() + 1);
    }

    /** dx[b0 .. b0 + count - 1, group] += the K x (count P) matrix d folded back onto the input positions it was read from. */
    private void col2im(float[] d, float[] dx, int b0, int count, int group) {
        int cols = count * positions;
        int cig = g.inputChannelsPerGroup();
        if (g.isPointwise()) { // each row of d is a channel's plane of a sample: one add loop a sample and channel
            for (int i = 0; i < count; i++) {
                int xBase = xOffset(b0 + i, group);
                for (int ch = 0; ch < cig; ch++) {
                    int at = ch * cols + i * positions;
                    int target = xBase + ch * positions;
                    for (int p = 0; p < positions; p++) {
                        dx[target + p] += d[at + p];
                    }
                }
            }
            return;
        }
        if (g.kw() == 3 && g.sw() == 2 && g.dw() == 1) {
            pairedCol2im(d, cols, dx, b0, count, group);
            return;
        }
        for (int i = 0; i < count; i++) {
            int xBase = xOffset(b0 + i, group);
            int row = 0;
            for (int ch = 0; ch < cig; ch++) {
                for (int ky = 0; ky < g.kh(); ky++) {
                    for (int kx = 0; kx < g.kw(); kx++, row++) {
                        int from = firstColumn(kx);
                        int to = endColumn(kx);
                        for (int oy = 0; oy < g.oh(); oy++) {
                            int iy = oy * g.sh() - g.pt() + ky * g.dh();
                            if (iy < 0 || iy >= g.ih()) {
                                continue;
                            }
                            int at = row * cols + i * positions + oy * g.ow();
                            int target = xBase + (ch * g.ih() + iy) * g.iw() + from * g.sw() - g.pl() + kx * g.dw();
                            if (g.sw() == 1) {
                                for (int ox = from; ox < to; ox++) {
                                    dx[target + ox - from] += d[at + ox];
                                }
                            } else {
                                for (int ox = from; ox < to; ox++, target += g.sw()) {
                                    dx[target] += d[at + ox];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
