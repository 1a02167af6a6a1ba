package dev.fovea.runtime.kernels.train;

import dev.fovea.runtime.graph.Window;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pooling for training, forward and backward side by side, each function one task: one (sample,
 * channel) plane, which the caller hands to its workers. Max pooling records each output's switch (the
 * input position of its maximum, the first on ties as PyTorch), and its backward routes the gradient
 * there; average pooling spreads it over the window with the forward pass's divisor.
 */
public final class PoolTrain {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** As many ints as {@link #F} has floats: a window's position beside its maximum. */
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    private PoolTrain() {}

    /** For {@link #maxForward2x2}: each output's window, as the offset of its top-left input in the plane. */
    public static int[] corners2x2(int iw, int oh, int ow) {
        int[] corners = new int[oh * ow];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                corners[y * ow + x] = 2 * y * iw + 2 * x;
            }
        }
        return corners;
    }

    /** Whether a max pooling window is the common 2x2 of stride 2 without padding, every window whole. */
    public static boolean plain2x2(Window w, int ih, int iw, int oh, int ow) {
        return w.kh() == 2 && w.kw() == 2 && w.sh() == 2 && w.sw() == 2 && w.dh() == 1 && w.dw() == 1 && w.padTop() == 0 && w.padLeft() == 0
                && 2 * oh <= ih && 2 * ow <= iw;
    }

    /**
     * The common 2x2 window of stride 2 without padding, every window whole: plane p, {@code corners} from
     * {@link #corners2x2}. Maxima of pairs and selects, without branches (which of four values is largest
     * is a coin toss: mispredicted branches made this five times slower), a vector of outputs at a time:
     * the four corners of their windows gathered, the positions of the maxima blended from the corners'.
     * The last outputs, fewer than a vector, one at a time. Ties keep the first in row-major order, as
     * PyTorch; a NaN propagates to the output.
     */
    public static void maxForward2x2(float[] in, float[] out, int[] switches, int p, int ih, int iw, int oh, int ow, int[] corners) {
        int plane = p * ih * iw;
        int o = p * oh * ow;
        int n = oh * ow;
        int vectors = n - n % F.length();
        for (int i = 0; i < vectors; i += F.length()) {
            FloatVector a = FloatVector.fromArray(F, in, plane, corners, i);
            FloatVector b = FloatVector.fromArray(F, in, plane + 1, corners, i);
            FloatVector c = FloatVector.fromArray(F, in, plane + iw, corners, i);
            FloatVector d = FloatVector.fromArray(F, in, plane + iw + 1, corners, i);
            IntVector at = IntVector.fromArray(I, corners, i);
            VectorMask<Integer> right = b.compare(VectorOperators.GT, a).cast(I);
            VectorMask<Integer> lowerRight = d.compare(VectorOperators.GT, c).cast(I);
            FloatVector upper = a.max(b);
            FloatVector lower = c.max(d);
            VectorMask<Integer> below = lower.compare(VectorOperators.GT, upper).cast(I);
            upper.max(lower).intoArray(out, o + i);
            IntVector upperAt = at.add(1, right);
            IntVector lowerAt = at.add(iw).add(1, lowerRight);
            upperAt.blend(lowerAt, below).intoArray(switches, o + i);
        }
        for (int i = vectors; i < n; i++) {
            maxOf2x2(in, out, switches, plane, corners[i], iw, o + i);
        }
    }

    /** One output of {@link #maxForward2x2}: the window whose top-left input is at {@code at}, into out and switches at {@code o}. */
    private static void maxOf2x2(float[] in, float[] out, int[] switches, int plane, int at, int iw, int o) {
        float a = in[plane + at];
        float b = in[plane + at + 1];
        float c = in[plane + at + iw];
        float d = in[plane + at + iw + 1];
        float upper = Math.max(a, b);
        float lower = Math.max(c, d);
        int upperAt = b > a ? at + 1 : at;
        int lowerAt = d > c ? at + iw + 1 : at + iw;
        out[o] = Math.max(upper, lower);
        switches[o] = lower > upper ? lowerAt : upperAt;
    }

    /** For {@link #maxForwardPlane}: lane i's input column relative to lane 0's, i times the stride along rows. */
    public static int[] laneColumns(int sw) {
        int[] columns = new int[F.length()];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = i * sw;
        }
        return columns;
    }

    /**
     * Any window: plane p; positions in the padding are skipped. in: planes x ih x iw; out and switches:
     * planes x oh x ow; {@code laneColumns} from {@link #laneColumns}. Each row's outputs whose windows lie
     * inside the plane run a vector at a time ({@link #maxVector}), when there are a vector's worth of them;
     * the rest one at a time.
     */
    public static void maxForwardPlane(float[] in, float[] out, int[] switches, int p, int ih, int iw, int oh, int ow, int kh, int kw,
            int sh, int sw, int padTop, int padLeft, int dh, int dw, int[] laneColumns) {
        int xFrom = (padLeft + sw - 1) / sw; // the first output whose window starts inside the row
        int xTo = iw - 1 - (kw - 1) * dw + padLeft < 0 ? 0 : Math.min(ow, (iw - 1 - (kw - 1) * dw + padLeft) / sw + 1);
        int lanes = F.length();
        for (int y = 0; y < oh; y++) {
            int y0 = y * sh - padTop;
            boolean rowInside = y0 >= 0 && y0 + (kh - 1) * dh < ih;
            if (rowInside && xTo - xFrom >= lanes) {
                for (int x = 0; x < xFrom; x++) {
                    maxOne(in, out, switches, p, ih, iw, oh, ow, kh, kw, sh, sw, padTop, padLeft, dh, dw, y, x);
                }
                for (int x = xFrom; x < xTo; x += lanes) {
                    int x0 = Math.min(x, xTo - lanes); // the last vector overlaps the one before: same outputs, same values
                    maxVector(in, out, switches, p, ih, iw, oh, ow, kh, kw, sw, dh, dw, y0, x0 * sw - padLeft, (p * oh + y) * ow + x0,
                            laneColumns);
                }
                for (int x = xTo; x < ow; x++) {
                    maxOne(in, out, switches, p, ih, iw, oh, ow, kh, kw, sh, sw, padTop, padLeft, dh, dw, y, x);
                }
            } else {
                for (int x = 0; x < ow; x++) {
                    maxOne(in, out, switches, p, ih, iw, oh, ow, kh, kw, sh, sw, padTop, padLeft, dh, dw, y, x);
                }
            }
        }
    }

    /**
     * A vector of outputs of one row, windows inside the plane, the first with top-left input (y0, x0): the
     * taps in row-major order gathered at the stride, each taken where it is larger or NaN, as PyTorch (the
     * first maximum on ties, the last NaN).
     */
    private static void maxVector(float[] in, float[] out, int[] switches, int p, int ih, int iw, int oh, int ow, int kh, int kw, int sw,
            int dh, int dw, int y0, int x0, int o, int[] laneColumns) {
        int plane = p * ih * iw;
        IntVector columns = IntVector.fromArray(I, laneColumns, 0);
        int first = y0 * iw + x0;
        // every gather inside the loop, where C2 sees it as hot and inlines what its intrinsic needs; from -inf,
        // the first tap is taken whatever it holds (-inf itself stays at the first position, as PyTorch)
        FloatVector best = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        IntVector where = columns.add(first);
        for (int tap = 0; tap < kh * kw; tap++) {
            int at = first + tap / kw * dh * iw + tap % kw * dw;
            FloatVector v = FloatVector.fromArray(F, in, plane + at, laneColumns, 0);
            VectorMask<Float> take = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
            best = best.blend(v, take);
            where = where.blend(columns.add(at), take.cast(I));
        }
        best.intoArray(out, o);
        where.intoArray(switches, o);
    }

    /** One output (y, x): its window's first maximum, or last NaN, skipping the padding. */
    private static void maxOne(float[] in, float[] out, int[] switches, int p, int ih, int iw, int oh, int ow, int kh, int kw, int sh,
            int sw, int padTop, int padLeft, int dh, int dw, int y, int x) {
        int y0 = y * sh - padTop;
        int x0 = x * sw - padLeft;
        if (kh == 3 && kw == 3 && dh == 1 && dw == 1 && y0 >= 0 && y0 + 2 < ih && x0 >= 0 && x0 + 2 < iw) {
            int where = argmax3x3(in, p * ih * iw, y0 * iw + x0, iw);
            out[(p * oh + y) * ow + x] = in[p * ih * iw + where];
            switches[(p * oh + y) * ow + x] = where;
            return;
        }
        float best = Float.NEGATIVE_INFINITY;
        int at = -1;
        for (int ky = 0; ky < kh; ky++) {
            int iy = y0 + ky * dh;
            if (iy < 0 || iy >= ih) {
                continue;
            }
            for (int kx = 0; kx < kw; kx++) {
                int ix = x0 + kx * dw;
                if (ix >= 0 && ix < iw) {
                    float v = in[(p * ih + iy) * iw + ix];
                    if (v > best || at < 0 || Float.isNaN(v)) {
                        best = v;
                        at = iy * iw + ix;
                    }
                }
            }
        }
        out[(p * oh + y) * ow + x] = best;
        switches[(p * oh + y) * ow + x] = at;
    }

    /**
     * Where in the plane the maximum of the whole 3x3 window with top-left t lies: the first on ties, the
     * last NaN if there is one, as PyTorch picks. Straight-line code: the window's loops, three taps long,
     * cost C2 more than the comparisons (ResNet's 3x3 pool seven times slower than this).
     */
    private static int argmax3x3(float[] in, int plane, int t, int iw) {
        int m1 = t + iw;
        int m2 = m1 + iw;
        float a0 = in[plane + t], a1 = in[plane + t + 1], a2 = in[plane + t + 2];
        float b0 = in[plane + m1], b1 = in[plane + m1 + 1], b2 = in[plane + m1 + 2];
        float c0 = in[plane + m2], c1 = in[plane + m2 + 1], c2 = in[plane + m2 + 2];
        float m = Math.max(Math.max(Math.max(a0, a1), Math.max(a2, b0)), Math.max(Math.max(b1, b2), Math.max(Math.max(c0, c1), c2)));
        if (m != m) {
            int last = t;
            for (int row = t; row <= m2; row += iw) {
                for (int i = row; i < row + 3; i++) {
                    last = in[plane + i] != in[plane + i] ? i : last;
                }
            }
            return last;
        }
        // a bit per tap that equals the maximum, without branches; the lowest is the first in row-major order
        int equal = (a0 == m ? 1 : 0) | (a1 == m ? 2 : 0) | (a2 == m ? 4 : 0) | (b0 == m ? 8 : 0) | (b1 == m ? 16 : 0)
                | (b2 == m ? 32 : 0) | (c0 == m ? 64 : 0) | (c1 == m ? 128 : 0) | (c2 == m ? 256 : 0);
        int tap = Integer.numberOfTrailingZeros(equal);
        return t + tap / 3 * iw + tap % 3;
    }

    /** Plane p: each output's gradient to where its maximum came from. */
    public static void maxBackward(float[] dy, int[] switches, float[] dx, int p, int ihw, int ohw) {
        for (int i = 0; i < ohw; i++) {
            dx[p * ihw + switches[p * ohw + i]] += dy[p * ohw + i];
        }
    }

    /** The divisor of average pooling's window at (y, x), as PyTorch counts it. */
    private static int divisor(int y, int x, int ih, int iw, Window w, boolean countIncludePad) {
        int y0 = y * w.sh() - w.padTop();
        int x0 = x * w.sw() - w.padLeft();
        if (countIncludePad) {
            int yEnd = Math.min(y0 + w.kh(), ih + w.padBottom());
            int xEnd = Math.min(x0 + w.kw(), iw + w.padRight());
            return (yEnd - y0) * (xEnd - x0);
        }
        int rows = Math.min(y0 + w.kh(), ih) - Math.max(y0, 0);
        int cols = Math.min(x0 + w.kw(), iw) - Math.max(x0, 0);
        return Math.max(1, rows * cols);
    }

    /** Average pooling's backward, plane p (dilation 1, as PyTorch's AvgPool2d has none). */
    public static void avgBackward(float[] dy, float[] dx, int p, int ih, int iw, int oh, int ow, Window w, boolean countIncludePad) {
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                float g = dy[(p * oh + y) * ow + x] / divisor(y, x, ih, iw, w, countIncludePad);
                for (int ky = 0; ky < w.kh(); ky++) {
                    int iy = y * w.sh() - w.padTop() + ky;
                    if (iy < 0 || iy >= ih) {
                        continue;
                    }
                    for (int kx = 0; kx < w.kw(); kx++) {
                        int ix = x * w.sw() - w.padLeft() + kx;
                        if (ix >= 0 && ix < iw) {
                            dx[(p * ih + iy) * iw + ix] += g;
                        }
                    }
                }
            }
        }
    }

    /** Adaptive average pooling's backward, plane p: bin (y, x) covers [floor(y*ih/oh), ceil((y+1)*ih/oh)). */
    public static void adaptiveAvgBackward(float[] dy, float[] dx, int p, int ih, int iw, int oh, int ow) {
        for (int y = 0; y < oh; y++) {
            int y0 = y * ih / oh;
            int y1 = ((y + 1) * ih + oh - 1) / oh;
            for (int x = 0; x < ow; x++) {
                int x0 = x * iw / ow;
                int x1 = ((x + 1) * iw + ow - 1) / ow;
                float g = dy[(p * oh + y) * ow + x] / ((y1 - y0) * (x1 - x0));
                for (int iy = y0; iy < y1; iy++) {
                    for (int ix = x0; ix < x1; ix++) {
                        dx[(p * ih + iy) * iw + ix] += g;
                    }
                }
            }
        }
    }
}
