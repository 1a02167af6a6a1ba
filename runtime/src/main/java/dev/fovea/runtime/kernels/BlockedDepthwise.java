package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise convolution from and to {@link ChannelBlocks} tensors: a vector holds 16 channels of one
 * pixel, so every tap is one vector FMA with that tap's 16 weights, and no lane is wasted on a row's
 * end. The input is read in place, padding included: a tap that falls in the padding is skipped, so
 * nothing is copied and the whole batch is one parallel job. A task is one output row of one channel
 * block of one sample; the pixels whose taps all lie inside the input's columns are computed four at
 * a time, the few at the edges one by one.
 *
 * <p>A 3x3 window at stride 1 or 2 (MobileNet's) runs on {@link DepthwiseMicroKernel}'s 7-pixel tile
 * instead, with ReLU or ReLU6 applied before the tile's stores. A task is a band of up to
 * {@link #BAND_ROWS} output rows. Where a row of output pixels is whole tiles (the maps of the 224-pixel
 * networks are multiples of 7 wide), the tiles read the input in place: a window row in the padding is
 * skipped, and a padding column at a row's first or last tile is taken as zeros, not read. Otherwise the
 * input rows a band reads are copied into a zero-bordered band first (each row of a channel block is one
 * run of floats), so that every pixel, at the edges too, takes the same tile. On the small maps, where a
 * row of 7 or 14 pixels left 3 or 2 of them to the one-pixel path, this is where the time went; the copy
 * then took a third of a 14x14 layer's time at batch 16.
 */
public final class BlockedDepthwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Output pixels computed together, sharing each tap's weight vector. */
    private static final int PX = 4;
    /**
     * Output rows of a band task on the 3x3 tile. Its copied input rows stay in L2 (at most 10 rows of 114
     * pixels at stride 1, 73 KiB; 17 rows of 113 at stride 2, 123 KiB), and the three a row of tiles reads in L1.
     */
    private static final int BAND_ROWS = 8;
    /**
     * Output rows up to which a map is one band: a 14x14 map in two bands copied 18 input rows for 14
     * output rows, in 2 tasks of 98 pixels each per channel block, too little work for what a task costs.
     */
    private static final int WHOLE_MAP_ROWS = 16;

    private final ConvGeometry g;
    /** [C / 16][kh * kw][16]. */
    private final float[] weight;
    /** Output columns [firstInside, endInside) read no padding column. */
    private final int firstInside;
    private final int endInside;
    private final float[] noBias;
    /** Whether the 3x3 tile runs this layer, in bands of {@link #bandRows} output rows. */
    private final boolean tiled;
    private final int bandRows;
    private final int bands;
    /** Whether the tiles read the input in place: whole tiles a row, at most one padding column either side. */
    private final boolean inPlace;
    /** Whether, in place, the last tile of a row reads one padding column on the right. */
    private final boolean rightPadding;
    /** Floats of one row of a band: the columns the tiles of a whole output row read, zero border included. */
    private final int bandRowFloats;
    private final ThreadLocal<float[]> bandBuffers;

    private float[] callIn;
    private float[] callOut;
    private Epilogue callEpilogue;
    private final IntConsumer rowTask;

    /** Whether it applies: a depthwise convolution of whole channel blocks, dilation 1, a cheap activation. */
    public static boolean handles(ConvGeometry g, Activation activation) {
        return g.isDepthwise() && ChannelBlocks.fits(g.ci()) && g.dh() == 1 && g.dw() == 1 && VectorActivations.isCheap(activation);
    }

    /** {@code weight} is channels x 1 x kh x kw. */
    public BlockedDepthwise(ConvGeometry g, float[] weight) {
        if (!g.isDepthwise() || !ChannelBlocks.fits(g.ci()) || g.dh() != 1 || g.dw() != 1) {
            throw new IllegalArgumentException("not a blocked depthwise convolution: " + g);
        }
        this.g = g;
        this.weight = pack(g, weight);
        // x * sw - pl >= 0 and x * sw - pl + kw <= iw
        this.firstInside = Math.min(g.ow(), (g.pl() + g.sw() - 1) / g.sw());
        int last = g.iw() - g.kw() + g.pl() < 0 ? -1 : (g.iw() - g.kw() + g.pl()) / g.sw();
        this.endInside = Math.max(firstInside, Math.min(g.ow(), last + 1));
        this.noBias = new float[g.co()];
        this.tiled = g.kh() == DepthwiseMicroKernel.SIDE && g.kw() == DepthwiseMicroKernel.SIDE && g.sh() == g.sw() && g.sw() <= 2;
        int tiles = (g.ow() + DepthwiseMicroKernel.PIXELS - 1) / DepthwiseMicroKernel.PIXELS;
        this.bands = g.oh() <= WHOLE_MAP_ROWS ? 1 : (g.oh() + BAND_ROWS - 1) / BAND_ROWS;
        this.bandRows = (g.oh() + bands - 1) / bands;
        this.bandRowFloats = ((tiles * DepthwiseMicroKernel.PIXELS - 1) * g.sw() + g.kw()) * L;
        // the column past the last pixel's window, the first its row does not read
        int lastColumnEnd = (g.ow() - 1) * g.sw() - g.pl() + g.kw();
        this.inPlace = tiled && g.ow() % DepthwiseMicroKernel.PIXELS == 0 && g.pl() <= 1 && lastColumnEnd <= g.iw() + 1;
        this.rightPadding = lastColumnEnd == g.iw() + 1;
        int bandFloats = ((bandRows - 1) * g.sh() + g.kh()) * bandRowFloats;
        // one tile's room past the band for a last, partial tile's results
        this.bandBuffers = ThreadLocal.withInitial(() -> new float[bandFloats + DepthwiseMicroKernel.PIXELS * L]);
        int blocks = g.co() / L;
        if (tiled) {
            // band first: the workers take tasks from both ends, so each keeps to the rows it wrote in the layer before
            this.rowTask = inPlace
                    ? t -> bandInPlace(t / (blocks * bands), t % blocks, t / blocks % bands)
                    : t -> band(t / (blocks * bands), t % blocks, t / blocks % bands);
        } else {
            int rows = blocks * g.oh();
            this.rowTask = t -> row(t / rows, t % rows / g.oh(), t % g.oh());
        }
    }

    /** Weights channels x 1 x kh x kw as [C / 16][kh * kw][16]: a tap's 16 channels in one vector. */
    static float[] pack(ConvGeometry g, float[] weight) {
        int area = g.kh() * g.kw();
        float[] packed = new float[g.co() * area];
        for (int c = 0; c < g.co(); c++) {
            for (int t = 0; t < area; t++) {
                packed[(c / L * area + t) * L + c % L] = weight[c * area + t];
            }
        }
        return packed;
    }

    ConvGeometry geometry() {
        return g;
    }

    /** Whether the 3x3 tile reads the input in place, without copying bands. */
    boolean readsInPlace() {
        return inPlace;
    }

    /** Its weights, packed by {@link #pack}. */
    float[] packedWeight() {
        return weight;
    }

    /** Floats of workspace a call needs: none, the input is read in place. */
    public int workspaceSize() {
        return 0;
    }

    public void run(Workers workers, float[] in, float[] out, int n, Epilogue e, float[] workspace) {
        callIn = in;
        callOut = out;
        callEpilogue = e;
        workers.parallelFor(n * (g.co() / L) * (tiled ? bands : g.oh()), rowTask);
    }

    /** Output rows of band {@code index} of channel block cb of {@code sample}, on the 3x3 tile. */
    private void band(int sample, int cb, int index) {
        float[] buffer = bandBuffers.get();
        int y0 = index * bandRows;
        int y1 = Math.min(g.oh(), y0 + bandRows);
        copyBand(sample, cb, y0, y1, buffer);
        Epilogue e = callEpilogue;
        float[] biases = e.bias() == null ? noBias : e.bias();
        boolean clamps = e.residual() == null && e.clamps();
        float lo = clamps ? e.floor() : Float.NEGATIVE_INFINITY;
        float hi = clamps ? e.ceiling() : Float.POSITIVE_INFINITY;
        int px = DepthwiseMicroKernel.PIXELS;
        int spill = buffer.length - px * L;
        int side = DepthwiseMicroKernel.SIDE;
        int wBase = cb * g.kh() * g.kw() * L;
        for (int y = y0; y < y1; y++) {
            int src = (y - y0) * g.sh() * bandRowFloats;
            int out = sample * g.outputSize() + (cb * g.positions() + y * g.ow()) * L;
            for (int x = 0; x < g.ow(); x += px) {
                boolean whole = x + px <= g.ow();
                float[] dst = whole ? callOut : buffer;
                int at = whole ? out + x * L : spill;
                if (g.sw() == 1) {
                    DepthwiseMicroKernel.strideOne(buffer, src + x * L, bandRowFloats, 0, side, false, false, weight, wBase, biases, cb * L,
                            lo, hi, dst, at);
                } else {
                    DepthwiseMicroKernel.strideTwo(buffer, src + 2 * x * L, bandRowFloats, 0, side, false, false, weight, wBase, biases, cb * L,
                            lo, hi, dst, at);
                }
                if (!whole) {
                    System.arraycopy(buffer, spill, callOut, out + x * L, (g.ow() - x) * L);
                }
            }
            if (!clamps) {
                finish(out, g.ow() * L, e);
            }
        }
    }

    /**
     * Output rows of band {@code index} of channel block cb of {@code sample}, on the 3x3 tile reading the input in
     * place: window rows in the padding skipped, a padding column at either end of a row taken as zeros.
     */
    private void bandInPlace(int sample, int cb, int index) {
        int y0 = index * bandRows;
        int y1 = Math.min(g.oh(), y0 + bandRows);
        Epilogue e = callEpilogue;
        float[] biases = e.bias() == null ? noBias : e.bias();
        boolean clamps = e.residual() == null && e.clamps();
        float lo = clamps ? e.floor() : Float.NEGATIVE_INFINITY;
        float hi = clamps ? e.ceiling() : Float.POSITIVE_INFINITY;
        int px = DepthwiseMicroKernel.PIXELS;
        int rowFloats = g.iw() * L;
        int plane = sample * g.inputSize() + cb * g.ih() * rowFloats;
        int wBase = cb * g.kh() * g.kw() * L;
        int lastTile = g.ow() - px;
        for (int y = y0; y < y1; y++) {
            int top = y * g.sh() - g.pt();
            int ky0 = Math.max(0, -top);
            int ky1 = Math.min(g.kh(), g.ih() - top);
            // window row 0's offset, outside the input when that row is padding: only rows [ky0, ky1) are read
            int row = plane + top * rowFloats;
            int out = sample * g.outputSize() + (cb * g.positions() + y * g.ow()) * L;
            for (int x = 0; x < g.ow(); x += px) {
                int column = x * g.sw() - g.pl();
                boolean left = column < 0;
                boolean right = rightPadding && x == lastTile;
                if (g.sw() == 1) {
                    DepthwiseMicroKernel.strideOne(callIn, row + column * L, rowFloats, ky0, ky1, left, right, weight, wBase, biases, cb * L,
                            lo, hi, callOut, out + x * L);
                } else {
                    DepthwiseMicroKernel.strideTwo(callIn, row + column * L, rowFloats, ky0, ky1, left, right, weight, wBase, biases, cb * L,
                            lo, hi, callOut, out + x * L);
                }
            }
            if (!clamps) {
                finish(out, g.ow() * L, e);
            }
        }
    }

    /** The input rows that output rows [y0, y1) read, [row][column][L] with zeros wherever the window meets padding. */
    private void copyBand(int sample, int cb, int y0, int y1, float[] buffer) {
        int iw = g.iw();
        int left = g.pl() * L;
        int inside = Math.min(iw * L, bandRowFloats - left);
        int plane = sample * g.inputSize() + cb * g.ih() * iw * L;
        int rows = (y1 - y0 - 1) * g.sh() + g.kh();
        int top = y0 * g.sh() - g.pt();
        for (int r = 0; r < rows; r++) {
            int at = r * bandRowFloats;
            int iy = top + r;
            if (iy < 0 || iy >= g.ih()) {
                Arrays.fill(buffer, at, at + bandRowFloats, 0f);
                continue;
            }
            Arrays.fill(buffer, at, at + left, 0f);
            System.arraycopy(callIn, plane + iy * iw * L, buffer, at + left, inside);
            Arrays.fill(buffer, at + left + inside, at + bandRowFloats, 0f);
        }
    }

    /** Output row y of channel block cb of {@code sample}: [ow][16] from the input rows its window covers. */
    private void row(int sample, int cb, int y) {
        float[] src = callIn;
        int iw = g.iw();
        int kw = g.kw();
        int top = y * g.sh() - g.pt();
        int ky0 = Math.max(0, -top);
        int ky1 = Math.min(g.kh(), g.ih() - top);
        int plane = sample * g.inputSize() + cb * g.ih() * iw * L;
        int wBase = cb * g.kh() * kw * L;
        int out = sample * g.outputSize() + (cb * g.positions() + y * g.ow()) * L;
        int pixelStep = g.sw() * L;
        Epilogue e = callEpilogue;
        float[] biases = e.bias() == null ? noBias : e.bias();
        int x = 0;
        for (; x < firstInside; x++) {
            edgePixel(plane, top, ky0, ky1, wBase, x, biases, cb, out);
        }
        for (; x + PX <= endInside; x += PX) {
            fourPixels(src, plane + ((top + ky0) * iw + x * g.sw() - g.pl()) * L, iw * L, pixelStep, ky1 - ky0, kw, weight,
                    wBase + ky0 * kw * L, biases, cb * L, callOut, out + x * L);
        }
        for (; x < g.ow(); x++) {
            edgePixel(plane, top, ky0, ky1, wBase, x, biases, cb, out);
        }
        finish(out, g.ow() * L, e);
    }

    /**
     * Four consecutive output pixels of one channel block whose taps all lie in {@code src}: sums from the
     * bias (at {@code biasAt} in {@code biases}) over {@code rows} rows of {@code kw} taps, in order. The
     * first pixel's first tap is at {@code at}, the rows {@code rowStride} floats apart, the pixels
     * {@code pixelStep}; the weights of those rows start at {@code wAt}, [rows][kw][L].
     */
    static void fourPixels(float[] src, int at, int rowStride, int pixelStep, int rows, int kw, float[] weight, int wAt, float[] biases,
            int biasAt, float[] dst, int out) {
        FloatVector a0 = FloatVector.fromArray(S, biases, biasAt);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int ky = 0; ky < rows; ky++) {
            int row = at + ky * rowStride;
            for (int kx = 0; kx < kw; kx++) {
                FloatVector w = FloatVector.fromArray(S, weight, wAt + (ky * kw + kx) * L);
                int i = row + kx * L;
                a0 = w.fma(FloatVector.fromArray(S, src, i), a0);
                a1 = w.fma(FloatVector.fromArray(S, src, i + pixelStep), a1);
                a2 = w.fma(FloatVector.fromArray(S, src, i + 2 * pixelStep), a2);
                a3 = w.fma(FloatVector.fromArray(S, src, i + 3 * pixelStep), a3);
            }
        }
        a0.intoArray(dst, out);
        a1.intoArray(dst, out + L);
        a2.intoArray(dst, out + 2 * L);
        a3.intoArray(dst, out + 3 * L);
    }

    /** Output pixel x of a row, its taps in padding columns skipped (and in padding rows, by [ky0, ky1)). */
    private void edgePixel(int plane, int top, int ky0, int ky1, int wBase, int x, float[] biases, int cb, int out) {
        int iw = g.iw();
        int kw = g.kw();
        int left = x * g.sw() - g.pl();
        int kx0 = Math.max(0, -left);
        int kx1 = Math.min(kw, iw - left);
        FloatVector a = FloatVector.fromArray(S, biases, cb * L);
        for (int ky = ky0; ky < ky1; ky++) {
            int at = plane + ((top + ky) * iw + left) * L;
            for (int kx = kx0; kx < kx1; kx++) {
                a = FloatVector.fromArray(S, weight, wBase + (ky * kw + kx) * L).fma(FloatVector.fromArray(S, callIn, at + kx * L), a);
            }
        }
        a.intoArray(callOut, out + x * L);
    }

    /**
     * The rest of the epilogue over a row just written, from L1: residual and activation. The row's
     * loop stores plain sums because a vector passed to a helper the JIT leaves out of line is boxed.
     */
    private void finish(int at, int count, Epilogue e) {
        if (e.residual() != null) {
            ChannelOps.add(callOut, at, e.residual(), at, callOut, at, count);
        }
        VectorActivations.apply(callOut, at, at + count, e.activation(), e.slope());
    }
}
