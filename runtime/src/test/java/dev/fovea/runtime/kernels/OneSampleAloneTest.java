package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * The kernels that can run one sample of a batch alone (a stem whose max pool reads each sample as it is
 * finished) write, into an array of one sample, bit for bit what the batch's run writes for that sample:
 * the channel-vector kernel with its input copied or read in place, into NCHW or blocks, Winograd's,
 * the direct kernel and the im2col GEMM.
 */
class OneSampleAloneTest {
    private static final int BATCH = 3;

    private static float[] random(Random r, int floats) {
        float[] x = new float[floats];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** A convolution of one sample into the first of an array. */
    @FunctionalInterface
    private interface Alone {
        void run(float[] in, int sample, float[] out);
    }

    private static void assertSamplesAlone(BiConsumer<float[], float[]> batch, Alone alone, float[] in, int sampleFloats, String what) {
        float[] all = new float[BATCH * sampleFloats];
        batch.accept(in, all);
        for (int n = 0; n < BATCH; n++) {
            float[] one = new float[sampleFloats];
            alone.run(in, n, one);
            assertArrayEquals(Arrays.copyOfRange(all, n * sampleFloats, (n + 1) * sampleFloats), one, what + ", sample " + n);
        }
    }

    /** Stems (7x7 at stride 2, 3x3 at stride 2 without padding, read in place) and 1x1 layers (of 32 channels read in place). */
    private static final ConvGeometry[] STEMS = {
        new ConvGeometry(3, 32, 32, 64, 16, 16, 7, 7, 2, 2, 3, 3, 1, 1, 1),
        new ConvGeometry(3, 33, 33, 64, 16, 16, 3, 3, 2, 2, 0, 0, 1, 1, 1),
        new ConvGeometry(3, 29, 29, 32, 15, 15, 3, 3, 2, 2, 1, 1, 1, 1, 1),
        new ConvGeometry(16, 12, 12, 48, 12, 12, 1, 1, 1, 1, 0, 0, 1, 1, 1),
        new ConvGeometry(32, 14, 14, 64, 14, 14, 1, 1, 1, 1, 0, 0, 1, 1, 1),
        new ConvGeometry(3, 40, 40, 32, 40, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1)};

    @Test
    void theChannelVectorKernelRunsASampleAloneAsInTheBatch() {
        Random r = new Random(5);
        int inPlace = 0;
        for (ConvGeometry g : STEMS) {
            for (boolean blockedOut : new boolean[] {false, true}) {
                ChannelVectorConv conv = new ChannelVectorConv(g, random(r, g.co() * g.k()), false, blockedOut);
                Epilogue e = new Epilogue(random(r, g.co()), null, Activation.RELU, 0, false);
                float[] workspace = new float[conv.workspaceSize()];
                inPlace += conv.workspaceSize() == 0 ? 1 : 0;
                assertSamplesAlone((in, out) -> conv.run(TestWorkers.POOL, in, out, BATCH, e, workspace),
                        (in, sample, out) -> conv.runSample(TestWorkers.POOL, in, sample, out, e, workspace),
                        random(r, BATCH * g.inputSize()), conv.outSampleFloats(), g + " blocked out " + blockedOut);
            }
        }
        assertTrue(inPlace >= 2, inPlace + " layers read their input in place");
    }

    /** Winograd's kernel on framed blocked input, on maps whose batch makes jobs of several samples (14x14, 28x28) or one (56x56). */
    @Test
    void winogradsKernelRunsASampleAloneAsInTheBatch() {
        Random r = new Random(9);
        for (int size : new int[] {14, 28, 56}) {
            ConvGeometry g = new ConvGeometry(32, size, size, 64, size, size, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            assertTrue(WinogradConv.handles(g, Activation.RELU, false, BATCH), g.toString());
            ChannelBlocks.Frame frame = WinogradConv.inputFrame(g);
            WinogradConv conv = new WinogradConv(g, random(r, g.co() * g.k()), frame, null);
            Epilogue e = new Epilogue(random(r, g.co()), null, Activation.RELU, 0, false);
            assertSamplesAlone((in, out) -> conv.run(TestWorkers.POOL, in, out, OutputSlice.whole(conv.outSampleFloats()), BATCH, e),
                    (in, sample, out) -> conv.runSample(TestWorkers.POOL, in, sample, out, e),
                    random(r, BATCH * frame.floats(g.ci())), conv.outSampleFloats(), g.toString());
        }
    }

    @Test
    void theDirectKernelAndTheGemmRunASampleAloneAsInTheBatch() {
        Random r = new Random(7);
        for (ConvGeometry g : STEMS) {
            float[] w = random(r, g.co() * g.k());
            Epilogue e = new Epilogue(random(r, g.co()), null, Activation.RELU6, 0, false);
            float[] in = random(r, BATCH * g.inputSize());
            if (DirectConv.handles(g)) {
                DirectConv direct = new DirectConv(g, w);
                float[] workspace = new float[direct.workspaceSize()];
                assertSamplesAlone((x, out) -> direct.run(TestWorkers.POOL, x, out, BATCH, e, workspace),
                        (x, sample, out) -> direct.runSample(TestWorkers.POOL, x, sample, out, e, workspace), in, g.outputSize(),
                        "direct " + g);
            }
            ConvGemm gemm = new ConvGemm(g, w);
            float[] workspace = new float[gemm.workspaceSize()];
            OutputSlice whole = OutputSlice.whole(g.outputSize());
            assertSamplesAlone((x, out) -> gemm.run(TestWorkers.POOL, x, 0, out, whole, BATCH, e, workspace),
                    (x, sample, out) -> gemm.run(TestWorkers.POOL, x, sample * g.inputSize(), out, whole, 1, e, workspace), in, g.outputSize(),
                    "gemm " + g);
        }
    }
}
