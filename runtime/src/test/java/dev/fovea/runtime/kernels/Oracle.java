package dev.fovea.runtime.kernels;

import java.util.Random;

/**
 * An independent naive float64 implementation of the kernels, the standard the float32 kernels are held
 * to: written from the definitions, sharing no code with them.
 */
final class Oracle {
    private Oracle() {}

    static double[] conv2d(float[] in, float[] w, float[] bias, int n, ConvGeometry g) {
        double[] out = new double[n * g.outputSize()];
        int cig = g.ci() / g.groups();
        int cog = g.co() / g.groups();
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < g.co(); o++) {
                for (int y = 0; y < g.oh(); y++) {
                    for (int x = 0; x < g.ow(); x++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int c = 0; c < cig; c++) {
                            for (int ky = 0; ky < g.kh(); ky++) {
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int iy = y * g.sh() - g.pt() + ky * g.dh();
                                    int ix = x * g.sw() - g.pl() + kx * g.dw();
                                    if (iy >= 0 && iy < g.ih() && ix >= 0 && ix < g.iw()) {
                                        int ch = (o / cog) * cig + c;
                                        s += (double) in[((b * g.ci() + ch) * g.ih() + iy) * g.iw() + ix]
                                                * w[((o * cig + c) * g.kh() + ky) * g.kw() + kx];
                                    }
                                }
                            }
                        }
                        out[((b * g.co() + o) * g.oh() + y) * g.ow() + x] = s;
                    }
                }
            }
        }
        return out;
    }

    static float[] random(Random r, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) (r.nextGaussian());
        }
        return a;
    }

    /**
     * Asserts |actual - expected| <= 1e-4 * (|expected| + scale), where scale is the typical magnitude of the
     * terms summed (so that outputs that cancel to near zero are not held to a relative bound they cannot meet).
     */
    static void assertClose(double[] expected, float[] actual, double scale, String what) {
        if (expected.length > actual.length) {
            throw new AssertionError(what + ": " + actual.length + " values, expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double tolerance = 1e-4 * (Math.abs(expected[i]) + scale);
            if (!(Math.abs(expected[i] - actual[i]) <= tolerance)) {
                throw new AssertionError(what + ": at " + i + " expected " + expected[i] + " but got " + actual[i]);
            }
        }
    }

    /** A cheap activation of e (none, ReLU, ReLU6, leaky ReLU) on an oracle's sum, in float64. */
    static double activate(double x, Epilogue e) {
        return switch (e.activation()) {
            case RELU -> Math.max(0, x);
            case RELU6 -> Math.min(Epilogue.CAP, Math.max(0, x));
            case LEAKY_RELU -> x < 0 ? x * e.slope() : x;
            default -> x;
        };
    }
}
