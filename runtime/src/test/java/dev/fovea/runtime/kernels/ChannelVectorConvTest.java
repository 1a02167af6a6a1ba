package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.exec.Workers;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The convolution vectorised over output channels against the float64 oracle, over random shapes and strides. */
class ChannelVectorConvTest {
    private static final Workers WORKERS = new Workers(2);

    @AfterAll
    static void close() {
        WORKERS.close();
    }

    @Test
    void randomShapesMatchTheOracle() {
        Random r = new Random(47);
        int inPlace = 0;
        int strided = 0;
        for (int trial = 0; trial < 150; trial++) {
            boolean pointwise = r.nextInt(3) == 0;
            int kh = pointwise ? 1 : 1 + r.nextInt(5);
            int kw = pointwise ? 1 : 1 + r.nextInt(5);
            int sh = pointwise ? 1 : 1 + r.nextInt(3);
            int sw = pointwise ? 1 : 1 + r.nextInt(3);
            int pt = pointwise ? 0 : r.nextInt(kh);
            int pl = pointwise ? 0 : r.nextInt(kw);
            int ow = 1 + (pointwise ? r.nextInt(16) : r.nextInt(40));
            int oh = 1 + (pointwise ? r.nextInt(16) : r.nextInt(15));
            int iw = (ow - 1) * sw + kw - 2 * pl + r.nextInt(sw);
            int ih = (oh - 1) * sh + kh - 2 * pt + r.nextInt(sh);
            if (iw < 1 || ih < 1 || iw + 2 * pl < kw || ih + 2 * pt < kh) {
                continue;
            }
            int ci = 16 + r.nextInt(40);
            int co = 32 + r.nextInt(100);
            int n = 1 + r.nextInt(2);
            ConvGeometry g = new ConvGeometry(ci, ih, iw, co, oh, ow, kh, kw, sh, sw, pt, pl, 1, 1, 1);
            assertTrue(ChannelVectorConv.handles(g, Activation.RELU), g.toString());
            float[] in = Oracle.random(r, n * g.inputSize());
            float[] w = Oracle.random(r, co * g.k());
            float[] bias = r.nextBoolean() ? Oracle.random(r, co) : null;
            float[] residual = Oracle.random(r, n * g.outputSize());
            float[] out = Oracle.random(r, n * g.outputSize());
            boolean accumulate = r.nextBoolean();
            float[] before = out.clone();
            ChannelVectorConv conv = new ChannelVectorConv(g, w);
            Epilogue e = new Epilogue(bias, residual, Activation.RELU6, 0, accumulate);
            conv.run(WORKERS, in, out, n, e, Oracle.random(r, conv.workspaceSize()));
            double[] expected = Oracle.conv2d(in, w, bias, n, g);
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.min(6, Math.max(0, expected[i] + residual[i] + (accumulate ? before[i] : 0)));
            }
            Oracle.assertClose(expected, out, Math.sqrt(g.k()) * 3 + 3, "trial " + trial + " " + g);
            inPlace += conv.workspaceSize() == 0 ? 1 : 0;
            strided += sh > 1 || sw > 1 ? 1 : 0;
        }
        assertTrue(inPlace >= 5 && strided >= 40, inPlace + " read in place, " + strided + " strided");
    }

    @Test
    void takesWindowsAndSmallPointwiseMapsUngroupedWithCheapActivations() {
        ConvGeometry small = new ConvGeometry(64, 14, 14, 64, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        assertTrue(ChannelVectorConv.handles(small, Activation.RELU));
        assertTrue(!ChannelVectorConv.handles(small, Activation.GELU));
        assertTrue(ChannelVectorConv.handles(new ConvGeometry(64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1), Activation.NONE));
        assertTrue(ChannelVectorConv.handles(new ConvGeometry(64, 7, 7, 256, 7, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1), Activation.NONE));
        assertTrue(!ChannelVectorConv.handles(new ConvGeometry(64, 28, 28, 256, 28, 28, 1, 1, 1, 1, 0, 0, 1, 1, 1), Activation.NONE));
        assertTrue(!ChannelVectorConv.handles(new ConvGeometry(64, 14, 14, 64, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 2), Activation.NONE));
        assertTrue(!ChannelVectorConv.handles(new ConvGeometry(64, 14, 14, 16, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1), Activation.NONE));
        assertTrue(!ChannelVectorConv.handles(new ConvGeometry(3, 224, 224, 64, 112, 112, 7, 7, 2, 2, 3, 3, 1, 1, 1), Activation.RELU));
    }
}
