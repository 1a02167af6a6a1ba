package dev.fovea.runtime.graph;

/**
 * The window of a convolution or pooling layer: kernel, stride, padding on each side and dilation.
 * Bottom and right padding may differ from top and left (PyTorch's ceil mode, TensorFlow's "same").
 */
public record Window(int kh, int kw, int sh, int sw, int padTop, int padLeft, int padBottom, int padRight, int dh, int dw) {
    public Window {
        if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1) {
            throw new IllegalArgumentException("kernel, stride and dilation must be positive: " + this);
        }
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("padding must not be negative: " + this);
        }
    }

    /** A kh x kw window of stride 1, no padding, dilation 1; the methods below change one property each. */
    public static Window kernel(int kh, int kw) {
        return new Window(kh, kw, 1, 1, 0, 0, 0, 0, 1, 1);
    }

    public static Window kernel(int k) {
        return kernel(k, k);
    }

    public Window stride(int sh, int sw) {
        return new Window(kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, dh, dw);
    }

    public Window stride(int s) {
        return stride(s, s);
    }

    public Window pad(int top, int left, int bottom, int right) {
        return new Window(kh, kw, sh, sw, top, left, bottom, right, dh, dw);
    }

    public Window pad(int p) {
        return pad(p, p, p, p);
    }

    public Window dilation(int dh, int dw) {
        return new Window(kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, dh, dw);
    }

    /**
     * The output height for an input of height {@code in}: floor((in + pads - extent) / stride) + 1, or
     * with {@code ceil} PyTorch's ceil mode, where no window may start in the end padding.
     */
    public int outHeight(int in, boolean ceil) {
        return windows(in, kh, sh, padTop, padBottom, dh, ceil);
    }

    public int outWidth(int in, boolean ceil) {
        return windows(in, kw, sw, padLeft, padRight, dw, ceil);
    }

    private static int windows(int in, int kernel, int stride, int before, int after, int dilation, boolean ceil) {
        int span = in + before + after - (dilation * (kernel - 1) + 1);
        if (!ceil) {
            return Math.floorDiv(span, stride) + 1;
        }
        int out = Math.floorDiv(span + stride - 1, stride) + 1;
        return (out - 1) * stride >= in + before ? out - 1 : out;
    }

    @Override
    public String toString() {
        return kh + "x" + kw + "/" + sh + "x" + sw + " pad " + padTop + "," + padLeft + "," + padBottom + "," + padRight
                + (dh == 1 && dw == 1 ? "" : " dilation " + dh + "x" + dw);
    }
}
