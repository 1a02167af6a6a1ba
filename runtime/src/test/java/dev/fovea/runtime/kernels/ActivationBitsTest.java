package dev.fovea.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vectorised tanh, sigmoid, SiLU and GELU, and the global average pool's sums, give the same bits
 * interpreted as compiled (a network's outputs must not change as its kernels warm up); the activations
 * stay within a few units in the last place of their double-precision definitions, from underflow to
 * saturation.
 */
class ActivationBitsTest {
    private static final Activation[] CURVED = {Activation.TANH, Activation.SIGMOID, Activation.SILU, Activation.GELU};

    /** Arguments from -100 to 100, densest near 0, and tiny ones. */
    static float[] arguments() {
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) {
            double u = (i - x.length / 2) / (double) (x.length / 2);
            x[i] = (float) (Math.signum(u) * 100 * u * u * u * u);
        }
        x[1] = 1e-30f;
        x[2] = -3e-7f;
        return x;
    }

    /** The activation over {@link #arguments}, each value's bits. */
    static int[] bits(Activation a) {
        float[] v = arguments();
        VectorActivations.apply(v, 0, v.length, a, 0f);
        int[] bits = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            bits[i] = Float.floatToRawIntBits(v[i]);
        }
        return bits;
    }

    /** The means of 64 planes of 61 of the {@link #arguments} each, the global average pool's, each value's bits. */
    static int[] meanBits() {
        float[] means = new float[64];
        ChannelOps.globalAveragePool(arguments(), means, means.length, 61).accept(new dev.fovea.runtime.exec.Workers(1));
        int[] bits = new int[means.length];
        for (int i = 0; i < means.length; i++) {
            bits[i] = Float.floatToRawIntBits(means[i]);
        }
        return bits;
    }

    /** Run in a JVM that only interprets: writes each activation's bits, then the means', a line each. */
    public static void main(String[] args) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Activation a : CURVED) {
            lines.add(line(bits(a)));
        }
        lines.add(line(meanBits()));
        Files.write(Path.of(args[0]), lines);
    }

    private static String line(int[] bits) {
        StringBuilder line = new StringBuilder();
        for (int b : bits) {
            line.append(b).append(' ');
        }
        return line.toString().trim();
    }

    private static int[] parse(String line) {
        return java.util.Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
    }

    @Test
    void interpretedAndCompiledGiveTheSameBits(@TempDir Path dir) throws IOException, InterruptedException {
        for (int warm = 0; warm < 2000; warm++) { // enough passes for C2 to compile the loops
            for (Activation a : CURVED) {
                bits(a);
            }
            meanBits();
        }
        Path out = dir.resolve("bits.txt");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xint", "--add-modules",
                "jdk.incubator.vector"));
        // the same vector width as this JVM's (a run of the tests at AVX2's)
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("-XX:")).forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ActivationBitsTest.class.getName(), out.toString()));
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, p.waitFor(), "the interpreted run");
        List<String> lines = Files.readAllLines(out);
        for (int k = 0; k < CURVED.length; k++) {
            assertArrayEquals(parse(lines.get(k)), bits(CURVED[k]), CURVED[k] + ": interpreted against compiled");
        }
        assertArrayEquals(parse(lines.get(CURVED.length)), meanBits(), "global average pool: interpreted against compiled");
    }

    @Test
    void curvedActivationsStayWithinAFewUlpOfTheirDefinitions() {
        float[] x = arguments();
        for (Activation a : CURVED) {
            int[] bits = bits(a);
            for (int i = 0; i < x.length; i++) {
                double expected = a.apply(x[i], 0f);
                float actual = Float.intBitsToFloat(bits[i]);
                // GELU's erfc fit is good to 1.2e-7 absolute; the others to a few ulp, values below 1e-36 flushed to 0
                double tolerance = a == Activation.GELU ? 1.2e-7 * Math.abs(x[i]) + 4 * Math.ulp((float) expected)
                        : 4 * Math.ulp((float) expected) + 1e-36;
                assertEquals(expected, actual, tolerance, a + "(" + x[i] + ")");
            }
        }
    }
}
