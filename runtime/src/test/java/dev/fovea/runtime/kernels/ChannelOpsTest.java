package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vectorised element-wise kernels against the reference ones and the activations' definitions. */
class ChannelOpsTest {
    private final Random r = new Random(23);


    @Test
    void vectorActivationsMatchTheScalarDefinitions() {
        float[] x = new float[2001];
        for (int i = 0; i < x.length; i++) {
            x[i] = -8f + 16f * i / (x.length - 1);
        }
        for (Activation a : Activation.values()) {
            float[] v = x.clone();
            VectorActivations.apply(v, 0, v.length, a, 0.1f);
            for (int i = 0; i < x.length; i++) {
                double expected = a.apply(x[i], 0.1f);
                assertEquals(expected, v[i], 1e-4 * (Math.abs(expected) + 1e-3), a + "(" + x[i] + ")");
            }
        }
    }

    @Test
    void layerNormMatchesTheReference() {
        for (int trial = 0; trial < 30; trial++) {
            int n = 1 + r.nextInt(2);
            int c = 1 + r.nextInt(40);
            int positions = 1 + r.nextInt(70);
            float[] in = Oracle.random(r, n * c * positions);
            float[] gamma = Oracle.random(r, c);
            float[] beta = Oracle.random(r, c);
            float[] expected = new float[in.length];
            float[] actual = new float[in.length];
            Reference.layerNorm(in, expected, n, c, positions, gamma, beta, 1e-6);
            ChannelOps.layerNorm(in, actual, n, c, positions, gamma, beta, 1e-6).accept(TestWorkers.POOL);
            assertClose(expected, actual, "layer norm " + c + "x" + positions);
        }
    }

    @Test
    void affineWithActivationAddScaleConcatAndGlobalPool() {
        int n = 2;
        int c = 7;
        int positions = 37;
        float[] in = Oracle.random(r, n * c * positions);
        float[] scale = Oracle.random(r, c);
        float[] shift = Oracle.random(r, c);
        float[] out = new float[in.length];
        ChannelOps.Affine affine = ChannelOps.affine(in, out, n, c, positions, scale, shift);
        affine.activation(Activation.GELU, 0);
        affine.accept(TestWorkers.POOL);
        for (int i = 0; i < in.length; i++) {
            int channel = (i / positions) % c;
            double expected = Activation.GELU.apply(in[i] * scale[channel] + shift[channel], 0);
            assertEquals(expected, out[i], 1e-4 * (Math.abs(expected) + 1e-2), "affine + GELU at " + i);
        }

        float[] b = Oracle.random(r, in.length);
        float[] sum = new float[in.length];
        ChannelOps.add(in, b, sum, in.length).accept(TestWorkers.POOL);
        for (int i = 0; i < in.length; i++) {
            assertEquals(in[i] + b[i], sum[i], 1e-6);
        }

        float[] gates = Oracle.random(r, n * c);
        float[] scaled = new float[in.length];
        float[] reference = new float[in.length];
        ChannelOps.scaleChannels(in, gates, scaled, n, c, positions).accept(TestWorkers.POOL);
        Reference.scaleChannels(in, gates, reference, n, c, positions, true);
        assertClose(reference, scaled, "scale");

        float[] pooled = new float[n * c];
        float[] pooledReference = new float[n * c];
        ChannelOps.globalAveragePool(in, pooled, n * c, positions).accept(TestWorkers.POOL);
        Reference.adaptiveAvgPool2d(in, pooledReference, n, c, 1, positions, 1, 1);
        assertClose(pooledReference, pooled, "global average pool");

        float[] other = Oracle.random(r, n * 3 * positions);
        float[] joined = new float[n * (c + 3) * positions];
        float[] joinedReference = new float[joined.length];
        ChannelOps.concat(new float[][] {in, other}, new int[] {c, 3}, joined, n, positions).accept(TestWorkers.POOL);
        Reference.concatInto(in, joinedReference, n, c, positions, 0, c + 3);
        Reference.concatInto(other, joinedReference, n, 3, positions, c, c + 3);
        assertClose(joinedReference, joined, "concat");
    }

    @Test
    void concatCutsLargeSlicesIntoPiecesAndPlacesEveryOne() {
        int n = 3;
        int positions = 997; // slices of 40 and 17 channels span several 16K-float pieces, with remainders
        int[] channels = {40, 1, 17};
        float[][] ins = new float[channels.length][];
        int total = 0;
        for (int i = 0; i < channels.length; i++) {
            ins[i] = Oracle.random(r, n * channels[i] * positions);
            total += channels[i];
        }
        float[] joined = new float[n * total * positions];
        float[] reference = new float[joined.length];
        ChannelOps.concat(ins, channels, joined, n, positions).accept(TestWorkers.POOL);
        int at = 0;
        for (int i = 0; i < channels.length; i++) {
            Reference.concatInto(ins[i], reference, n, channels[i], positions, at, total);
            at += channels[i];
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(reference, joined);
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * (Math.abs(expected[i]) + 1), what + " at " + i);
        }
    }
}
