package dev.fovea.runtime.kernels;

import dev.fovea.runtime.exec.Workers;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The direct stride-1 convolution against the float64 oracle, over random shapes. */
class DirectConvTest {
    private static final Workers WORKERS = new Workers(2);

    @AfterAll
    static void close() {
        WORKERS.close();
    }

    @Test
    void randomShapesMatchTheOracle() {
        Random r = new Random(31);
        for (int trial = 0; trial < 200; trial++) {
            int ci = 1 + r.nextInt(9);
            int co = 1 + r.nextInt(21);
            int kh = 1 + r.nextInt(5);
            int kw = kh == 1 ? 2 + r.nextInt(3) : 1 + r.nextInt(5);
            int pt = r.nextInt(kh);
            int pl = r.nextInt(kw);
            int ih = kh + r.nextInt(20);
            int iw = kw + 27 + r.nextInt(40);
            int oh = ih + 2 * pt - kh + 1;
            int ow = iw + 2 * pl - kw + 1;
            int n = 1 + r.nextInt(2);
            ConvGeometry g = new ConvGeometry(ci, ih, iw, co, oh, ow, kh, kw, 1, 1, pt, pl, 1, 1, 1);
            if (!DirectConv.handles(g)) {
                continue; // narrow outputs go to the GEMM; the kernel itself is exercised on the rest
            }
            float[] in = Oracle.random(r, n * g.inputSize());
            float[] w = Oracle.random(r, co * g.k());
            float[] bias = Oracle.random(r, co);
            float[] residual = Oracle.random(r, n * g.outputSize());
            float[] out = new float[n * g.outputSize()];
            DirectConv conv = new DirectConv(g, w);
            conv.run(WORKERS, in, out, n, Epilogue.of(bias).withResidual(residual).withActivation(Activation.RELU, 0),
                    new float[conv.workspaceSize()]);
            double[] expected = Oracle.conv2d(in, w, bias, n, g);
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.max(0, expected[i] + residual[i]);
            }
            Oracle.assertClose(expected, out, Math.sqrt(g.k()) * 3 + 3, "trial " + trial + " " + g);
        }
    }
}
