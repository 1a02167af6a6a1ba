package dev.fovea.runtime.kernels;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The direct convolution, every stride, against the float64 oracle, over random shapes. */
class DirectConvTest {
    @Test
    void randomShapesMatchTheOracle() {
        Random r = new Random(31);
        int strided = 0;
        int checked = 0;
        for (int trial = 0; trial < 300; trial++) {
            int ci = 1 + r.nextInt(9);
            int co = 1 + r.nextInt(21);
            int kh = 1 + r.nextInt(7);
            int kw = 1 + r.nextInt(7);
            int sh = 1 + r.nextInt(3);
            int sw = 1 + r.nextInt(3);
            int pt = r.nextInt(kh);
            int pl = r.nextInt(kw);
            int ow = 28 + r.nextInt(40);
            int iw = (ow - 1) * sw + kw - 2 * pl + r.nextInt(sw); // a remainder the stride skips
            int ih = kh + r.nextInt(3 * sh + 8);
            int oh = (ih + 2 * pt - kh) / sh + 1;
            if (iw < 1 || oh < 1) {
                continue;
            }
            int n = 1 + r.nextInt(2);
            ConvGeometry g = new ConvGeometry(ci, ih, iw, co, oh, ow, kh, kw, sh, sw, pt, pl, 1, 1, 1);
            if (!DirectConv.handles(g)) {
                continue; // narrow outputs go to the GEMM; the kernel itself is exercised on the rest
            }
            float[] in = Oracle.random(r, n * g.inputSize());
            float[] w = Oracle.random(r, co * g.k());
            float[] bias = Oracle.random(r, co);
            float[] residual = Oracle.random(r, n * g.outputSize());
            float[] out = Oracle.random(r, n * g.outputSize());
            boolean accumulate = r.nextBoolean();
            float[] before = out.clone();
            DirectConv conv = new DirectConv(g, w);
            Epilogue e = Epilogue.of(bias).withResidual(residual).withActivation(Activation.RELU, 0);
            conv.run(TestWorkers.POOL, in, out, n, accumulate ? e.accumulating() : e, Oracle.random(r, conv.workspaceSize()));
            double[] expected = Oracle.conv2d(in, w, bias, n, g);
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.max(0, expected[i] + residual[i] + (accumulate ? before[i] : 0));
            }
            Oracle.assertClose(expected, out, Math.sqrt(g.k()) * 3 + 3, "trial " + trial + " " + g);
            checked++;
            strided += sh > 1 || sw > 1 ? 1 : 0;
        }
        // the generator must keep exercising the kernel, strided and not
        org.junit.jupiter.api.Assertions.assertTrue(checked >= 120 && strided >= 100 && checked > strided, checked + " checked, " + strided + " strided");
    }
}
