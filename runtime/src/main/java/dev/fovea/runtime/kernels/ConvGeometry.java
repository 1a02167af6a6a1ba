package dev.fovea.runtime.kernels;

/**
 * The static shape of one convolution: input and output sizes, kernel, stride, padding (top and left;
 * the bottom and right follow from the output size), dilation and groups.
 */
public record ConvGeometry(int ci, int ih, int iw, int co, int oh, int ow, int kh, int kw, int sh, int sw, int pt, int pl, int dh,
        int dw, int groups) {
    public int inputChannelsPerGroup() {
        return ci / groups;
    }

    public int outputChannelsPerGroup() {
        return co / groups;
    }

    /** The reduction length of one output: input channels of a group times the kernel's area. */
    public int k() {
        return ci / groups * kh * kw;
    }

    /** Output positions per channel. */
    public int positions() {
        return oh * ow;
    }

    public int inputSize() {
        return ci * ih * iw;
    }

    public int outputSize() {
        return co * oh * ow;
    }

    /** A 1x1 convolution of stride 1 without padding reads its input as the GEMM operand directly. */
    public boolean isPointwise() {
        return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == ih && ow == iw;
    }

    public boolean isDepthwise() {
        return groups == ci && groups == co;
    }
}
