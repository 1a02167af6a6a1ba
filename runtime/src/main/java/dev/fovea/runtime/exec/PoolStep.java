package dev.fovea.runtime.exec;

import dev.fovea.runtime.kernels.BlockedPooling;
import dev.fovea.runtime.kernels.ChannelBlocks;
import dev.fovea.runtime.kernels.ChannelOps;
import dev.fovea.runtime.kernels.Pooling;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Max pooling (dilation 1), global average pooling, or adaptive average pooling to the input's own size
 * on the fast path, on NCHW or blocked tensors as {@link ChannelLayouts} settles: a max pool keeps its
 * input's layout, so a chain of convolutions broken by one (VGG, a ResNet's stem) stays blocked; a
 * global average pool reads either and writes a channels x 1 x 1 output, which is laid out alike in
 * both; the adaptive pool that changes nothing (AlexNet's and VGG's 6x6 and 7x7 before the classifier)
 * reads either and writes NCHW for the dense layers, so the last convolution and pool stay blocked.
 */
final class PoolStep implements BlockableStep {
    private enum Kind { MAX, GLOBAL_AVERAGE, SAME_SIZE_AVERAGE }

    private final String name;
    private final Kind kind;
    private float[] in;
    private float[] out;
    /** The zero border its output is written in, for the convolution that reads it; null when unframed. */
    private ChannelBlocks.Frame outFrame;
    /** Its framed output's border, when the array holds other frames between passes and it zeroes the border first; else null. */
    private FrameBorder outBorder;
    private final int batch;
    private final int channels;
    private final int[] shape;
    private Consumer<Workers> body;
    /** Each sample's pass, when it pools a sample at a time ({@link #prepareBySample}); else null. */
    private List<Consumer<Workers>> bySample;

    private PoolStep(String name, Kind kind, float[] in, float[] out, int batch, int channels, int[] shape) {
        this.name = name;
        this.kind = kind;
        this.in = in;
        this.out = out;
        this.batch = batch;
        this.channels = channels;
        this.shape = shape;
    }

    /** Max pooling without dilation; pb and pr (bottom and right padding) only matter to the NCHW kernel's ceil mode. */
    static PoolStep max(String name, float[] in, float[] out, int batch, int channels, int ih, int iw, int oh, int ow, int kh, int kw,
            int sh, int sw, int pt, int pl, int pb, int pr) {
        return new PoolStep(name, Kind.MAX, in, out, batch, channels, new int[] {ih, iw, oh, ow, kh, kw, sh, sw, pt, pl, pb, pr});
    }

    static PoolStep globalAverage(String name, float[] in, float[] out, int batch, int channels, int positions) {
        return new PoolStep(name, Kind.GLOBAL_AVERAGE, in, out, batch, channels, new int[] {positions});
    }

    /** Adaptive average pooling to the input's size: each output is its one input, a copy into NCHW. */
    static PoolStep sameSizeAverage(String name, float[] in, float[] out, int batch, int channels, int positions) {
        return new PoolStep(name, Kind.SAME_SIZE_AVERAGE, in, out, batch, channels, new int[] {positions});
    }

    @Override
    public float[] in() {
        return in;
    }

    @Override
    public boolean readsBlocked() {
        return ChannelBlocks.fits(channels);
    }

    @Override
    public boolean writesBlocked() {
        return kind == Kind.MAX && ChannelBlocks.fits(channels);
    }

    @Override
    public boolean keepsLayout() {
        return kind == Kind.MAX;
    }

    /** A blocked max pool can write its output inside the frame the next convolution's window reads. */
    @Override
    public boolean canWriteFramed() {
        return writesBlocked();
    }

    @Override
    public int framedFloats(ChannelBlocks.Frame f) {
        return Math.multiplyExact(batch, f.floats(channels));
    }

    @Override
    public void frameOutput(ChannelBlocks.Frame f, float[] framed, boolean clearsBorder) {
        outFrame = f;
        out = framed;
        outBorder = clearsBorder ? new FrameBorder(f, framed, batch, channels, shape[2], shape[3]) : null;
    }

    @Override
    public void prepare(boolean blockedIn, boolean blockedOut) {
        int[] s = shape;
        if (kind == Kind.GLOBAL_AVERAGE) {
            body = blockedIn ? BlockedPooling.globalAverage(in, out, batch, channels, s[0])
                    : ChannelOps.globalAveragePool(in, out, batch * channels, s[0]);
        } else if (kind == Kind.SAME_SIZE_AVERAGE) {
            int floats = batch * channels * s[0];
            body = blockedIn ? BlockedPooling.unblock(in, out, batch, channels, s[0]) : workers -> System.arraycopy(in, 0, out, 0, floats);
        } else if (blockedIn) {
            ChannelBlocks.Frame frame = outFrame != null ? outFrame : new ChannelBlocks.Frame(s[2], s[3], 0, 0);
            body = BlockedPooling.max(in, out, frame, batch, channels, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9]);
        } else {
            body = Pooling.prepare(true, in, out, batch * channels, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11],
                    false);
        }
    }

    boolean isMax() {
        return kind == Kind.MAX;
    }

    /** Reads {@code array} instead of its input: a stand-in given its array, before {@link #prepare}. */
    void rebindIn(float[] array) {
        in = array;
    }

    /**
     * Prepares a max pool to read one sample at a time from {@code sample}, which holds it in the layout its
     * input has ({@link ConvPoolStep}): {@link #runSample} then pools it into that sample's place in the output.
     */
    void prepareBySample(float[] sample, boolean blocked) {
        int[] s = shape;
        ChannelBlocks.Frame frame = outFrame != null ? outFrame : new ChannelBlocks.Frame(s[2], s[3], 0, 0);
        bySample = new ArrayList<>(batch);
        for (int n = 0; n < batch; n++) {
            bySample.add(blocked
                    ? BlockedPooling.max(sample, out, n * frame.floats(channels), frame, 1, channels, s[0], s[1], s[2], s[3], s[4], s[5], s[6],
                            s[7], s[8], s[9])
                    : Pooling.prepare(true, sample, out, n * channels * s[2] * s[3], channels, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7],
                            s[8], s[9], s[10], s[11], false));
        }
    }

    /** Zeroes its framed output's border where the array holds other frames between passes; once a pass. */
    void clearBorder(Workers workers) {
        if (outBorder != null) {
            outBorder.zero(workers);
        }
    }

    /** Pools sample {@code n}, which the array given to {@link #prepareBySample} now holds. */
    void runSample(Workers workers, int n) {
        bySample.get(n).accept(workers);
    }

    @Override
    public void run(Workers workers) {
        clearBorder(workers);
        body.accept(workers);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return kind == Kind.MAX ? "MaxPool2d" : "AdaptiveAvgPool2d";
    }

    @Override
    public float[][] reads() {
        return new float[][] {in};
    }

    @Override
    public float[] writes() {
        return out;
    }
}
