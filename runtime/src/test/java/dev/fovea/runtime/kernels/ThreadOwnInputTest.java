package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.exec.Workers;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Layers whose threads prepare their input for themselves ({@link ThreadOwnInput}): padded copies of a small
 * map at batch 1, split by weight panels, and Winograd's transformed planes, group by group. Two such layers
 * take turns on new inputs, so that when a task begins its thread's buffer holds the other layer's input or
 * the last call's: each result must be, bit for bit, that of one thread, and close to the float64 oracle's.
 */
class ThreadOwnInputTest {
    private static final Workers ONE = new Workers(1);

    @Test
    void paddedCopiesAreEachCallsOwn() {
        Random r = new Random(5);
        // a stride-2 3x3 layer (ResNet's layerN.0.conv2) and a 3x3 layer on a 7x7 map: 8 panels, one group of tiles
        ConvGeometry[] geometries = {new ConvGeometry(64, 14, 14, 256, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1),
                new ConvGeometry(32, 7, 7, 256, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1)};
        float[][] weights = new float[2][];
        ChannelVectorConv[] layers = new ChannelVectorConv[2];
        for (int i = 0; i < 2; i++) {
            weights[i] = Oracle.random(r, geometries[i].co() * geometries[i].k());
            layers[i] = new ChannelVectorConv(geometries[i], weights[i], true, true);
        }
        for (int call = 0; call < 6; call++) {
            ChannelVectorConv conv = layers[call % 2];
            ConvGeometry g = geometries[call % 2];
            float[] in = Oracle.random(r, g.inputSize());
            float[] blockedIn = BlockedTensors.blocked(in, 1, g.ci(), g.ih() * g.iw());
            float[] two = new float[conv.outSampleFloats()];
            float[] one = new float[conv.outSampleFloats()];
            conv.run(TestWorkers.POOL, blockedIn, two, 1, Epilogue.of(null), Oracle.random(r, conv.workspaceSize()));
            assertTrue(conv.copiedPerThread(), "call " + call + ": " + g);
            conv.run(ONE, blockedIn, one, 1, Epilogue.of(null), Oracle.random(r, conv.workspaceSize()));
            assertFalse(conv.copiedPerThread(), "one thread copies into the workspace");
            assertArrayEquals(one, two, "call " + call + ": " + g);
            assertOracle(in, weights[call % 2], g, two, "call " + call);
        }
    }

    @Test
    void transformedPlanesAreEachCallsOwn() {
        Random r = new Random(7);
        // a 3x3 layer on 14x14 at batch 1 (one group of four tiles), and one on 28x28 (four groups)
        ConvGeometry[] geometries = {new ConvGeometry(64, 14, 14, 128, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                new ConvGeometry(128, 28, 28, 64, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1)};
        float[][] weights = new float[2][];
        WinogradConv[] layers = new WinogradConv[2];
        for (int i = 0; i < 2; i++) {
            weights[i] = Oracle.random(r, geometries[i].co() * geometries[i].k());
            layers[i] = new WinogradConv(geometries[i], weights[i], WinogradConv.inputFrame(geometries[i]), null);
        }
        for (int call = 0; call < 6; call++) {
            WinogradConv conv = layers[call % 2];
            ConvGeometry g = geometries[call % 2];
            float[] in = Oracle.random(r, g.inputSize());
            float[] framedIn = BlockedTensors.framed(BlockedTensors.blocked(in, 1, g.ci(), g.ih() * g.iw()), 1, g.ci(), g.ih(), g.iw(),
                    WinogradConv.inputFrame(g));
            float[] two = new float[conv.outSampleFloats()];
            float[] one = new float[conv.outSampleFloats()];
            OutputSlice whole = OutputSlice.whole(conv.outSampleFloats());
            conv.run(TestWorkers.POOL, framedIn, two, whole, 1, Epilogue.of(null));
            conv.run(ONE, framedIn, one, whole, 1, Epilogue.of(null));
            assertArrayEquals(one, two, "call " + call + ": " + g);
            assertOracle(in, weights[call % 2], g, two, "call " + call);
        }
    }

    /** A blocked, unframed output against the oracle's NCHW sums. */
    private static void assertOracle(float[] in, float[] w, ConvGeometry g, float[] blockedOut, String what) {
        float[] nchw = new float[g.outputSize()];
        ChannelBlocks.toNchw(blockedOut, nchw, 1, g.co(), g.positions());
        Oracle.assertClose(Oracle.conv2d(in, w, null, 1, g), nchw, Math.sqrt(g.k()) * 3 + 3, what + " " + g);
    }
}
