package dev.fovea.runtime.kernels;

/**
 * Where a kernel writes its output inside a possibly larger array: sample s begins at
 * {@code offset + s * sampleFloats}, and within a sample the kernel's own layout (NCHW or channel
 * blocks) holds. A branch of a channel concatenation writes straight into its channels of the joined
 * tensor this way: in both layouts a sample's channels (whole blocks of 16 when blocked) are one
 * contiguous run, so the slice starts {@code firstChannel * positions} floats into the sample.
 */
public record OutputSlice(int offset, int sampleFloats) {
    public OutputSlice {
        if (offset < 0 || sampleFloats < 1) {
            throw new IllegalArgumentException("bad output slice: offset " + offset + ", sample floats " + sampleFloats);
        }
    }

    /** A whole array of samples of {@code sampleFloats} each. */
    public static OutputSlice whole(int sampleFloats) {
        return new OutputSlice(0, sampleFloats);
    }

    /** Where sample s begins. */
    public int base(int sample) {
        return offset + sample * sampleFloats;
    }
}
