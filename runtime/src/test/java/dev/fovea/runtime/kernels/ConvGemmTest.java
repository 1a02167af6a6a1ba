package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The GEMM convolution against the float64 oracle, over many random shapes, and on the seed's example. */
class ConvGemmTest {
    private static void run(ConvGeometry g, float[] w, float[] in, int inOffset, float[] out, int outOffset, int n, Epilogue e) {
        ConvGemm gemm = new ConvGemm(g, w);
        gemm.run(TestWorkers.POOL, in, inOffset, out, new OutputSlice(outOffset, g.outputSize()), n, e, new float[gemm.workspaceSize()]);
    }

    @Test
    void seedCrossCorrelationExample() {
        // 003: input 1..16 as 4x4, kernel [[0,-1,0],[-1,5,-1],[0,-1,0]], bias 5 -> [[11,12],[15,16]]
        float[] in = new float[16];
        for (int i = 0; i < 16; i++) {
            in[i] = i + 1;
        }
        float[] w = {0, -1, 0, -1, 5, -1, 0, -1, 0};
        ConvGeometry g = new ConvGeometry(1, 4, 4, 1, 2, 2, 3, 3, 1, 1, 0, 0, 1, 1, 1);
        float[] out = new float[4];
        run(g, w, in, 0, out, 0, 1, Epilogue.of(new float[] {5}));
        assertArrayEquals(new float[] {11, 12, 15, 16}, out);
    }

    @Test
    void randomShapesMatchTheOracle() {
        Random r = new Random(7);
        for (int trial = 0; trial < 300; trial++) {
            int groups = r.nextInt(4) == 0 ? 1 + r.nextInt(4) : 1;
            int ci = groups * (1 + r.nextInt(6));
            int co = groups * (1 + r.nextInt(21));
            int kh = 1 + r.nextInt(5);
            int kw = r.nextBoolean() ? kh : 1 + r.nextInt(5);
            int sh = 1 + r.nextInt(3);
            int sw = r.nextBoolean() ? sh : 1 + r.nextInt(3);
            int dh = r.nextInt(5) == 0 ? 2 : 1;
            int dw = r.nextInt(5) == 0 ? 2 : 1;
            int pt = r.nextInt(3);
            int pl = r.nextInt(3);
            int ih = dh * (kh - 1) + 1 + r.nextInt(20);
            int iw = dw * (kw - 1) + 1 + r.nextInt(40);
            int oh = (ih + 2 * pt - dh * (kh - 1) - 1) / sh + 1;
            int ow = (iw + 2 * pl - dw * (kw - 1) - 1) / sw + 1;
            int n = 1 + r.nextInt(3);
            ConvGeometry g = new ConvGeometry(ci, ih, iw, co, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw, groups);
            float[] in = Oracle.random(r, n * g.inputSize());
            float[] w = Oracle.random(r, co * g.k());
            float[] bias = r.nextBoolean() ? Oracle.random(r, co) : null;
            float[] out = new float[n * g.outputSize()];
            run(g, w, in, 0, out, 0, n, Epilogue.of(bias));
            Oracle.assertClose(Oracle.conv2d(in, w, bias, n, g), out, Math.sqrt(g.k()) * 3, "trial " + trial + " " + g);
        }
    }

    @Test
    void epilogueAddsResidualAppliesActivationAndAccumulates() {
        Random r = new Random(11);
        ConvGeometry g = new ConvGeometry(5, 9, 11, 13, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        float[] in = Oracle.random(r, 2 * g.inputSize());
        float[] w = Oracle.random(r, g.co() * g.k());
        float[] residual = Oracle.random(r, 2 * g.outputSize());
        double[] plain = Oracle.conv2d(in, w, null, 2, g);

        float[] out = new float[2 * g.outputSize()];
        run(g, w, in, 0, out, 0, 2, Epilogue.of(null).withResidual(residual).withActivation(Activation.RELU, 0));
        double[] expected = new double[plain.length];
        for (int i = 0; i < plain.length; i++) {
            expected[i] = Math.max(0, plain[i] + residual[i]);
        }
        Oracle.assertClose(expected, out, 20, "residual + relu");

        float[] acc = residual.clone();
        run(g, w, in, 0, acc, 0, 2, Epilogue.of(null).accumulating().withActivation(Activation.RELU6, 0));
        for (int i = 0; i < plain.length; i++) {
            expected[i] = Math.min(6, Math.max(0, plain[i] + residual[i]));
        }
        Oracle.assertClose(expected, acc, 20, "accumulate + relu6");
    }
}
