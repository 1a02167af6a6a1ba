package dev.fovea.runtime.kernels;

/** Test tensors in the kernels' blocked layouts, built from NCHW the plain way. */
final class BlockedTensors {
    private BlockedTensors() {
    }

    /** In whole blocks: zeros after the last channel of a padded one. */
    static float[] blocked(float[] nchw, int n, int channels, int positions) {
        float[] result = new float[n * ChannelBlocks.padded(channels) * positions];
        ChannelBlocks.fromNchw(nchw, result, n, channels, positions);
        return result;
    }

    /** A blocked tensor copied into a zeroed frame, sample by sample. */
    static float[] framed(float[] blocked, int n, int channels, int h, int w, ChannelBlocks.Frame f) {
        int b = ChannelBlocks.BLOCK;
        float[] out = new float[n * f.floats(channels)];
        for (int s = 0; s < n; s++) {
            for (int cb = 0; cb < channels / b; cb++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(blocked, s * channels * h * w + ((cb * h + y) * w) * b, out,
                            s * f.floats(channels) + ((cb * f.height() + y + f.top()) * f.width() + f.left()) * b, w * b);
                }
            }
        }
        return out;
    }
}
