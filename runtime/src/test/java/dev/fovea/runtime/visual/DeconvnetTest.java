package dev.fovea.runtime.visual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deconvnet against a plain reference written apart (the transposed filtering as a scatter from each
 * output rather than a gather into each input, the switches as coordinates): a convolution, ReLU, max
 * pooling, a strided convolution and ReLU, every channel of the top layer projected back to pixels.
 */
class DeconvnetTest {
    private static final Shape IN = new Shape(2, 9, 9);
    private static final Shape C1 = new Shape(3, 9, 9);
    private static final Shape P1 = new Shape(3, 4, 4);
    private static final Shape C2 = new Shape(4, 2, 2);

    private static NetworkGraph network() {
        List<Layer> layers = List.of(
                new Layer.Conv2d("conv1", NetworkGraph.INPUT, IN, C1, Window.kernel(3).pad(1), 1, "conv1.weight", "conv1.bias", List.of()),
                new Layer.Activation("relu1", "conv1", C1, Activation.RELU, 0),
                new Layer.Pool2d("pool1", "relu1", C1, P1, PoolKind.MAX, Window.kernel(3).stride(2), false, false),
                new Layer.Conv2d("conv2", "pool1", P1, C2, Window.kernel(2).stride(2), 1, "conv2.weight", null, List.of()),
                new Layer.Activation("relu2", "conv2", C2, Activation.RELU, 0));
        NetworkGraph.Builder b = NetworkGraph.builder(IN, layers.stream().mapToInt(l -> Math.toIntExact(l.output().elements())).toArray());
        for (int i = 0; i < layers.size(); i++) {
            b.add(i, layers.get(i));
        }
        return b.build();
    }

    private static Parameters parameters() {
        Parameters p = new Parameters(List.of(new TensorSpec("conv1.weight", new int[] {3, 2, 3, 3}, false),
                new TensorSpec("conv1.bias", new int[] {3}, false), new TensorSpec("conv2.weight", new int[] {4, 3, 2, 2}, false)));
        Random r = new Random(3);
        for (String name : p.names()) {
            float[] v = p.get(name);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (0.4 * r.nextGaussian());
            }
        }
        return p;
    }

    private static float[] image() {
        Random r = new Random(4);
        float[] x = new float[(int) IN.elements()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void projectionsMatchAPlainReference() {
        Parameters p = parameters();
        float[] x = image();
        Deconvnet net = Deconvnet.run(network(), p, x, "relu2");
        Reference ref = new Reference(p, x);
        assertArrayEquals(ref.top, net.featureMaps(), 1e-5f, "the forward pass");
        int projected = 0;
        for (int c = 0; c < 4; c++) {
            float[] expected = ref.project(c);
            assertArrayEquals(expected, net.project(c), 1e-5f, "channel " + c);
            projected += java.util.Arrays.stream(box(expected)).anyMatch(v -> v != 0) ? 1 : 0;
        }
        assertTrue(projected >= 2, "at least two channels reach the pixels: " + projected + " " + java.util.Arrays.toString(ref.top));
        int[] strongest = net.strongestChannels(2);
        assertEquals(2, strongest.length);
        assertTrue(max(ref.top, strongest[0]) >= max(ref.top, strongest[1]));
    }

    @Test
    void otherLayersAreNamedInTheError() {
        NetworkGraph g = network();
        String message = assertThrows(IllegalArgumentException.class, () -> Deconvnet.run(g, parameters(), image(), "conv3")).getMessage();
        assertTrue(message.startsWith("no layer conv3; layers: conv1, relu1, pool1, conv2, relu2"), message);
    }

    @Test
    void gridsAreWrittenAsPng(@TempDir Path dir) throws Exception {
        Deconvnet net = Deconvnet.run(network(), parameters(), image(), "relu2");
        Path file = dir.resolve("grid.png");
        ImageGrid.write(file, List.of(net.project(0), net.project(1), net.project(2)), 2, 9, 9, ImageGrid.Scaling.CENTRED);
        java.awt.image.BufferedImage read = javax.imageio.ImageIO.read(file.toFile());
        // two columns of 54-pixel tiles (9 x 6) with 2-pixel gaps
        assertEquals(2 * (54 + 2) + 2, read.getWidth());
        assertEquals(2 * (54 + 2) + 2, read.getHeight());
    }

    private static double max(float[] maps, int channel) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < 4; i++) {
            m = Math.max(m, maps[channel * 4 + i]);
        }
        return m;
    }

    private static Float[] box(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return b;
    }

    /** The same network and deconvnet, written plainly: switches as (y, x), transposed filtering as a scatter. */
    private static final class Reference {
        final float[] c1 = new float[(int) C1.elements()];
        final float[] p1 = new float[(int) P1.elements()];
        final int[][] switchYx = new int[(int) P1.elements()][];
        final float[] top = new float[(int) C2.elements()];
        final float[] w1;
        final float[] w2;

        Reference(Parameters p, float[] x) {
            w1 = p.get("conv1.weight");
            w2 = p.get("conv2.weight");
            float[] b1 = p.get("conv1.bias");
            for (int o = 0; o < 3; o++) {
                for (int y = 0; y < 9; y++) {
                    for (int xx = 0; xx < 9; xx++) {
                        double s = b1[o];
                        for (int i = 0; i < 2; i++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    int iy = y - 1 + ky;
                                    int ix = xx - 1 + kx;
                                    if (iy >= 0 && iy < 9 && ix >= 0 && ix < 9) {
                                        s += w1[((o * 2 + i) * 3 + ky) * 3 + kx] * x[(i * 9 + iy) * 9 + ix];
                                    }
                                }
                            }
                        }
                        c1[(o * 9 + y) * 9 + xx] = (float) Math.max(s, 0);
                    }
                }
            }
            for (int c = 0; c < 3; c++) {
                for (int py = 0; py < 4; py++) {
                    for (int px = 0; px < 4; px++) {
                        int by = 2 * py;
                        int bx = 2 * px;
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                if (c1[(c * 9 + 2 * py + ky) * 9 + 2 * px + kx] > c1[(c * 9 + by) * 9 + bx]) {
                                    by = 2 * py + ky;
                                    bx = 2 * px + kx;
                                }
                            }
                        }
                        switchYx[(c * 4 + py) * 4 + px] = new int[] {by, bx};
                        p1[(c * 4 + py) * 4 + px] = c1[(c * 9 + by) * 9 + bx];
                    }
                }
            }
            for (int o = 0; o < 4; o++) {
                for (int y = 0; y < 2; y++) {
                    for (int xx = 0; xx < 2; xx++) {
                        double s = 0;
                        for (int i = 0; i < 3; i++) {
                            for (int ky = 0; ky < 2; ky++) {
                                for (int kx = 0; kx < 2; kx++) {
                                    s += w2[((o * 3 + i) * 2 + ky) * 2 + kx] * p1[(i * 4 + 2 * y + ky) * 4 + 2 * xx + kx];
                                }
                            }
                        }
                        top[(o * 2 + y) * 2 + xx] = (float) Math.max(s, 0);
                    }
                }
            }
        }

        float[] project(int channel) {
            int at = channel * 4;
            for (int i = channel * 4; i < channel * 4 + 4; i++) {
                at = top[i] > top[at] ? i : at;
            }
            // relu2, then conv2 transposed as a scatter from its one output
            double[] pooled = new double[(int) P1.elements()];
            double s = Math.max(top[at], 0);
            int oy = (at % 4) / 2;
            int ox = at % 2;
            for (int i = 0; i < 3; i++) {
                for (int ky = 0; ky < 2; ky++) {
                    for (int kx = 0; kx < 2; kx++) {
                        pooled[(i * 4 + 2 * oy + ky) * 4 + 2 * ox + kx] += w2[((channel * 3 + i) * 2 + ky) * 2 + kx] * s;
                    }
                }
            }
            // unpool to the switches, rectify, conv1 transposed as a scatter
            double[] maps = new double[(int) C1.elements()];
            for (int i = 0; i < pooled.length; i++) {
                int c = i / 16;
                maps[(c * 9 + switchYx[i][0]) * 9 + switchYx[i][1]] += pooled[i];
            }
            float[] pixels = new float[(int) IN.elements()];
            double[] acc = new double[pixels.length];
            for (int o = 0; o < 3; o++) {
                for (int y = 0; y < 9; y++) {
                    for (int xx = 0; xx < 9; xx++) {
                        double v = Math.max(maps[(o * 9 + y) * 9 + xx], 0);
                        for (int i = 0; i < 2; i++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    int iy = y - 1 + ky;
                                    int ix = xx - 1 + kx;
                                    if (iy >= 0 && iy < 9 && ix >= 0 && ix < 9) {
                                        acc[(i * 9 + iy) * 9 + ix] += w1[((o * 2 + i) * 3 + ky) * 3 + kx] * v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) acc[i];
            }
            return pixels;
        }
    }
}
