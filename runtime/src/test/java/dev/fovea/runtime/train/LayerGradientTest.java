package dev.fovea.runtime.train;

import static dev.fovea.runtime.train.Graphs.chw;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.graph.PoolKind;
import dev.fovea.runtime.graph.Window;
import dev.fovea.runtime.kernels.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every layer's gradients (input and parameters) against central differences of a float64 reference,
 * over random shapes, strides, paddings, dilations, groups and batch sizes, with channel and pixel
 * counts that leave vector tails.
 */
class LayerGradientTest {
    private static final String IN = NetworkGraph.INPUT;

    @TestFactory
    List<DynamicTest> convolutions() {
        SplittableRandom r = new SplittableRandom(11);
        List<DynamicTest> tests = new ArrayList<>();
        for (int t = 0; t < 24; t++) {
            int groups = t % 4 == 1 ? 2 : 1;
            boolean depthwise = t % 4 == 3;
            int ci = depthwise ? 3 + r.nextInt(5) : groups * (1 + r.nextInt(5));
            int co = depthwise ? ci : groups * (1 + r.nextInt(6));
            if (depthwise) {
                groups = ci;
            }
            int k = t % 6 == 0 ? 1 : 1 + r.nextInt(4);
            int s = 1 + r.nextInt(2);
            int d = t % 5 == 4 ? 2 : 1;
            int p = r.nextInt(k);
            int h = d * (k - 1) + 1 + r.nextInt(7);
            int w = d * (k - 1) + 1 + r.nextInt(9);
            Window win = Window.kernel(k).stride(s).pad(p).dilation(d, d);
            Shape in = chw(ci, h, w);
            Shape out = chw(co, win.outHeight(h, false), win.outWidth(w, false));
            boolean bias = t % 2 == 0;
            int batch = 1 + r.nextInt(3);
            int g = groups;
            tests.add(DynamicTest.dynamicTest(in + " -> " + out + " " + win + " groups " + g + " batch " + batch, () -> GradientCheck.check(
                    Graphs.of(in, new Layer.Conv2d("conv", IN, in, out, win, g, "conv.weight", bias ? "conv.bias" : null, List.of())),
                    batch, 100 + g)));
        }
        return tests;
    }

    /**
     * Convolutions of one group whose batch fills groups of a vector's width of samples at least three
     * quarters run with the samples in the vector lanes: one group and several, the last part empty,
     * channels and positions that leave the register blocks' tails, strides, dilations and paddings.
     */
    @TestFactory
    List<DynamicTest> convolutionsInLanes() {
        SplittableRandom r = new SplittableRandom(23);
        List<DynamicTest> tests = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            int ci = 1 + r.nextInt(7);
            int co = 1 + r.nextInt(9);
            int k = 2 + r.nextInt(3);
            int s = t % 3 == 2 ? 2 : 1;
            int d = t % 4 == 3 ? 2 : 1;
            int p = r.nextInt(k);
            int h = d * (k - 1) + 1 + r.nextInt(6);
            int w = d * (k - 1) + 1 + r.nextInt(8);
            Window win = Window.kernel(k).stride(s).pad(p).dilation(d, d);
            Shape in = chw(ci, h, w);
            Shape out = chw(co, win.outHeight(h, false), win.outWidth(w, false));
            boolean bias = t % 2 == 0;
            int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
            int batch = lanes * (1 + t % 3) - r.nextInt(lanes / 4 + 1);
            tests.add(DynamicTest.dynamicTest(in + " -> " + out + " " + win + " batch " + batch, () -> GradientCheck.check(
                    Graphs.of(in, new Layer.Conv2d("conv", IN, in, out, win, 1, "conv.weight", bias ? "conv.bias" : null, List.of())),
                    batch, 300 + ci)));
        }
        return tests;
    }

    /**
     * Convolutions in lanes with enough input channels that the forward pass takes its taps in chunks (the
     * partial sums of the first chunks wait in the output), and output channels that are no multiple of the
     * forward block: stride 1 (the data gradient a flipped forward pass, also chunked) and stride 2.
     */
    @Test
    void convolutionsInLanesWithTapsInChunks() {
        int batch = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        Shape in = chw(40, 4, 5);
        GradientCheck.check(Graphs.of(in, new Layer.Conv2d("same", IN, in, chw(35, 4, 5), Window.kernel(3).pad(1), 1, "same.weight", "same.bias",
                List.of())), batch, 61);
        Shape wide = chw(36, 5, 5);
        GradientCheck.check(Graphs.of(wide, new Layer.Conv2d("strided", IN, wide, chw(13, 3, 3), Window.kernel(3).stride(2).pad(1), 1,
                "strided.weight", null, List.of())), batch, 67);
    }

    /**
     * A 3x3 "same" convolution in lanes with enough channels that its weight gradient goes through Winograd's
     * transforms too (64 x 64), on an odd map (the last tiles half outside). Both ways of sharing that work
     * are checked against a float64 sum in LaneWinogradGradientTest, on more shapes.
     */
    @Test
    void convolutionInLanesWithAWinogradWeightGradient() {
        int batch = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        Shape in = chw(64, 3, 5);
        GradientCheck.check(Graphs.of(in, new Layer.Conv2d("conv", IN, in, chw(64, 3, 5), Window.kernel(3).pad(1), 1, "conv.weight",
                "conv.bias", List.of())), batch, 73);
    }

    /**
     * A stride-1 convolution in lanes large enough for every part of the weight gradient's loops: output
     * rows in several tiles (the last shorter), taps in two chunks (the second ending in a tap outside the
     * register block), and tasks of several output blocks (the last task fewer, the last block part empty).
     */
    @Test
    void convolutionInLanesWithTheWeightGradientInTiles() {
        int batch = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        Shape in = chw(11, 6, 20);
        GradientCheck.check(Graphs.of(in, new Layer.Conv2d("conv", IN, in, chw(99, 6, 20), Window.kernel(3).pad(1), 1, "conv.weight",
                "conv.bias", List.of())), batch, 71, false);
    }

    /**
     * Stride-1 convolutions whose padded rows are at most 15% wider than their outputs run on wide rows
     * (one im2col copy per row of the kernel, extra columns thrown away): with padding, without, grouped,
     * a 5x5 kernel, and several samples side by side in one product.
     */
    @Test
    void convolutionsOnWideRows() {
        Shape in = chw(3, 16, 15);
        GradientCheck.check(Graphs.of(in, new Layer.Conv2d("padded", IN, in, chw(4, 16, 15), Window.kernel(3).pad(1), 1, "padded.weight",
                "padded.bias", List.of())), 3, 41);
        Shape narrow = chw(2, 6, 20);
        GradientCheck.check(Graphs.of(narrow, new Layer.Conv2d("unpadded", IN, narrow, chw(3, 4, 18), Window.kernel(3), 1, "unpadded.weight",
                null, List.of())), 2, 43);
        Shape four = chw(4, 5, 16);
        GradientCheck.check(Graphs.of(four, new Layer.Conv2d("grouped", IN, four, chw(6, 5, 16), Window.kernel(3).pad(1), 2, "grouped.weight",
                "grouped.bias", List.of())), 2, 47);
        Shape big = chw(1, 6, 30);
        GradientCheck.check(Graphs.of(big, new Layer.Conv2d("five", IN, big, chw(2, 6, 30), Window.kernel(5).pad(2), 1, "five.weight",
                null, List.of())), 2, 53);
    }

    @Test
    void wideConvolutions() {
        Shape map = chw(5, 4, 4);
        GradientCheck.check(Graphs.of(map, new Layer.Conv2d("pointwise", IN, map, chw(18, 4, 4), Window.kernel(1), 1, "pointwise.weight",
                "pointwise.bias", List.of())), 3, 97);
        Shape in = chw(5, 9, 11);
        Shape out = chw(21, 9, 11);
        GradientCheck.check(Graphs.of(in, new Layer.Conv2d("wide", IN, in, out, Window.kernel(3).pad(1), 1, "wide.weight", "wide.bias",
                List.of())), 2, 83);
        Shape in2 = chw(4, 6, 7);
        Shape out2 = chw(36, 3, 4);
        GradientCheck.check(Graphs.of(in2, new Layer.Conv2d("grouped", IN, in2, out2, Window.kernel(3).stride(2).pad(1), 2, "grouped.weight",
                null, List.of())), 3, 89);
        // enough output channels for the weight gradient as a product with the output gradient transposed,
        // and positions that leave the transposes' tiles a tail
        Shape few = chw(5, 5, 7);
        GradientCheck.check(Graphs.of(few, new Layer.Conv2d("expanding", IN, few, chw(70, 5, 7), Window.kernel(1), 1, "expanding.weight",
                "expanding.bias", List.of())), 2, 101);
    }

    @Test
    void partiallyConnectedConvolution() {
        Shape in = chw(3, 7, 7);
        Shape out = chw(4, 5, 5);
        List<String> table = List.of("X.XX", "XX.X", ".XXX");
        GradientCheck.check(Graphs.of(in, new Layer.Conv2d("c3", IN, in, out, Window.kernel(3), 1, "c3.weight", "c3.bias", table)), 2, 3);
    }

    @TestFactory
    List<DynamicTest> transposedConvolutions() {
        List<DynamicTest> tests = new ArrayList<>();
        int[][] cases = {{3, 4, 3, 2, 1, 1}, {4, 2, 2, 2, 0, 1}, {2, 6, 3, 1, 1, 2}, {4, 4, 3, 2, 1, 2}};
        for (int[] c : cases) {
            int ci = c[0];
            int co = c[1];
            int k = c[2];
            int s = c[3];
            int p = c[4];
            int groups = c[5];
            Shape in = chw(ci, 4, 5);
            Shape out = chw(co, (4 - 1) * s - 2 * p + k, (5 - 1) * s - 2 * p + k);
            tests.add(DynamicTest.dynamicTest(in + " -> " + out, () -> GradientCheck.check(Graphs.of(in,
                    new Layer.ConvTranspose2d("up", IN, in, out, Window.kernel(k).stride(s).pad(p), groups, "up.weight", "up.bias")), 2, 5)));
        }
        return tests;
    }

    @Test
    void denseLayers() {
        Shape in = new Shape(37);
        GradientCheck.check(Graphs.of(in, new Layer.Dense("fc", IN, in, new Shape(19), "fc.weight", "fc.bias", false)), 3, 7);
        Shape map = chw(5, 3, 4);
        GradientCheck.check(Graphs.of(map, new Layer.Dense("pw", IN, map, chw(7, 3, 4), "pw.weight", "pw.bias", true)), 2, 8);
    }

    @TestFactory
    List<DynamicTest> pooling() {
        List<DynamicTest> tests = new ArrayList<>();
        Object[][] cases = {
            {PoolKind.MAX, Window.kernel(2).stride(2), false, false, 8, 8},
            {PoolKind.MAX, Window.kernel(3).stride(2).pad(1), false, false, 9, 7},
            {PoolKind.MAX, Window.kernel(3).stride(2), true, false, 8, 10},
            {PoolKind.MAX, Window.kernel(3).stride(1).pad(1).dilation(2, 2), false, false, 7, 7},
            {PoolKind.AVG, Window.kernel(2).stride(2), false, true, 6, 9},
            {PoolKind.AVG, Window.kernel(3).stride(2).pad(1), false, true, 7, 8},
            {PoolKind.AVG, Window.kernel(3).stride(2).pad(1), false, false, 7, 8},
            {PoolKind.AVG, Window.kernel(3).stride(2), true, true, 8, 8},
            {PoolKind.AVG, Window.kernel(3).stride(2).pad(1), true, false, 8, 9},
        };
        for (Object[] c : cases) {
            PoolKind kind = (PoolKind) c[0];
            Window w = (Window) c[1];
            boolean ceil = (boolean) c[2];
            boolean include = (boolean) c[3];
            Shape in = chw(3, (int) c[4], (int) c[5]);
            Shape out = chw(3, w.outHeight(in.height(), ceil), w.outWidth(in.width(), ceil));
            tests.add(DynamicTest.dynamicTest(kind + " " + w + (ceil ? " ceil" : "") + (include ? " count_include_pad" : "") + " " + in,
                    () -> GradientCheck.check(Graphs.of(in, new Layer.Pool2d("pool", IN, in, out, kind, w, ceil, include)), 2, 13)));
        }
        Shape in = chw(3, 7, 10);
        tests.add(DynamicTest.dynamicTest("adaptive 7x10 -> 3x4", () -> GradientCheck.check(
                Graphs.of(in, new Layer.AdaptiveAvgPool2d("pool", IN, in, chw(3, 3, 4))), 2, 17)));
        tests.add(DynamicTest.dynamicTest("global", () -> GradientCheck.check(
                Graphs.of(in, new Layer.AdaptiveAvgPool2d("gap", IN, in, chw(3, 1, 1))), 3, 19)));
        return tests;
    }

    @Test
    void normalisations() {
        Shape s = chw(5, 4, 3);
        GradientCheck.check(Graphs.of(s, new Layer.BatchNorm("bn", IN, s, "bn", 1e-5, 0.1)), 3, 23);
        GradientCheck.check(Graphs.of(s, new Layer.LayerNorm("ln", IN, s, "ln", 1e-6)), 2, 29);
        GradientCheck.check(Graphs.of(s, new Layer.LocalResponseNorm("lrn", IN, s, 3, 1e-1, 0.75, 2)), 2, 31);
        Shape flat = new Shape(9);
        GradientCheck.check(Graphs.of(flat, new Layer.BatchNorm("bn", IN, flat, "bn", 1e-5, 0.1)), 4, 37);
    }

    @TestFactory
    List<DynamicTest> activations() {
        List<DynamicTest> tests = new ArrayList<>();
        Shape s = chw(3, 5, 7);
        for (Activation a : Activation.values()) {
            if (a == Activation.NONE) {
                continue;
            }
            double slope = a == Activation.LEAKY_RELU ? 0.1 : 0;
            // scaled into ReLU6's upper kink too
            Layer.Dense widen = new Layer.Dense("spread", IN, s, chw(4, 5, 7), "spread.weight", null, true);
            tests.add(DynamicTest.dynamicTest(a.name(), () -> GradientCheck.check(Graphs.of(s, widen,
                    new Layer.Activation("act", "spread", chw(4, 5, 7), a, slope)), 2, 41)));
        }
        Shape flat = new Shape(6);
        tests.add(DynamicTest.dynamicTest("softmax inside a network", () -> GradientCheck.check(Graphs.of(flat,
                new Layer.Softmax("softmax", IN, flat), new Layer.Dense("fc", "softmax", flat, new Shape(4), "fc.weight", "fc.bias", false)),
                3, 43)));
        tests.add(DynamicTest.dynamicTest("drop path off", () -> GradientCheck.check(Graphs.of(chw(2, 3, 3),
                new Layer.Conv2d("branch", IN, chw(2, 3, 3), chw(2, 3, 3), Window.kernel(3).pad(1), 1, "branch.weight", null, List.of()),
                new Layer.Dropout("drop", "branch", chw(2, 3, 3), 0.3, true), new Layer.Add("sum", "drop", IN, chw(2, 3, 3))), 3, 53)));
        tests.add(DynamicTest.dynamicTest("dropout off", () -> GradientCheck.check(Graphs.of(flat,
                new Layer.Dropout("drop", IN, flat, 0.5), new Layer.Dense("fc", "drop", flat, new Shape(4), "fc.weight", null, false)), 3, 47)));
        return tests;
    }

    @Test
    void leNetLayers() {
        Shape in = chw(2, 6, 6);
        Shape out = chw(2, 3, 3);
        GradientCheck.check(Graphs.of(in, new Layer.Subsample("s2", IN, in, out, Window.kernel(2).stride(2), "s2")), 2, 53);
        Shape flat = new Shape(12);
        GradientCheck.check(Graphs.of(flat, new Layer.EuclideanRbf("rbf", IN, flat, new Shape(5), "rbf.weight")), 2, 59);
    }

    @Test
    void joins() {
        Shape in = chw(4, 5, 5);
        Shape half = chw(4, 3, 3);
        GradientCheck.check(Graphs.of(in,
                new Layer.Conv2d("a", IN, in, in, Window.kernel(3).pad(1), 1, "a.weight", null, List.of()),
                new Layer.Add("sum", "a", IN, in),
                new Layer.LayerScale("gamma", "sum", in, "gamma")), 2, 61);
        GradientCheck.check(Graphs.of(in,
                new Layer.Conv2d("a", IN, in, chw(6, 3, 3), Window.kernel(3).stride(2).pad(1), 1, "a.weight", null, List.of()),
                new Layer.ProjectedAdd("down", "a", IN, in, chw(6, 3, 3), 2, "down")), 3, 67);
        GradientCheck.check(Graphs.of(in,
                new Layer.Conv2d("a", IN, in, half, Window.kernel(3).stride(2).pad(1), 1, "a.weight", "a.bias", List.of()),
                new Layer.Pool2d("b", IN, in, half, PoolKind.MAX, Window.kernel(3).stride(2).pad(1), false, false),
                new Layer.Concat("cat", List.of("a", "b", "a"), List.of(half, half, half), chw(12, 3, 3))), 2, 71);
    }

    /** A frozen batch norm between trained layers: running statistics in training, a fixed scale in backward. */
    @Test
    void aFrozenBatchNormBetweenTrainedLayers() {
        Shape in = chw(3, 5, 5);
        Shape mid = chw(4, 5, 5);
        GradientCheck.check(Graphs.frozen(Graphs.of(in,
                new Layer.Conv2d("conv", IN, in, mid, Window.kernel(3).pad(1), 1, "conv.weight", null, List.of()),
                new Layer.BatchNorm("bn", "conv", mid, "bn", 1e-5, 0.1),
                new Layer.Activation("relu", "bn", mid, Activation.RELU, 0),
                new Layer.Conv2d("out", "relu", mid, chw(2, 5, 5), Window.kernel(3).pad(1), 1, "out.weight", "out.bias", List.of())),
                "bn.weight", "bn.bias"), 3, 89);
    }

    /**
     * ReLU6 run inside the batch norm and the addition before it (on 25 positions, a vector and a tail),
     * and an addition of a tensor to itself, which adds its gradient into one array twice.
     */
    @Test
    void activationsRunInsideTheLayerBefore() {
        Shape in = chw(3, 5, 5);
        Shape mid = chw(4, 5, 5);
        GradientCheck.check(Graphs.of(in,
                new Layer.Conv2d("conv", IN, in, mid, Window.kernel(3).pad(1), 1, "conv.weight", null, List.of()),
                new Layer.BatchNorm("bn", "conv", mid, "bn", 1e-5, 0.1),
                new Layer.Activation("relu6", "bn", mid, Activation.RELU6, 0),
                new Layer.Add("twice", "relu6", "relu6", mid),
                new Layer.Activation("capped", "twice", mid, Activation.RELU6, 0),
                new Layer.Conv2d("out", "capped", mid, chw(2, 5, 5), Window.kernel(3).pad(1), 1, "out.weight", "out.bias", List.of())),
                3, 97);
    }

    /** NASNet's shift by one pixel: pad the bottom and right, drop the top row and left column; then a strided convolution. */
    @Test
    void asymmetricPaddingThenCropping() {
        Shape in = chw(2, 5, 5);
        GradientCheck.check(Graphs.of(in,
                new Layer.Conv2d("conv", IN, in, chw(3, 5, 5), Window.kernel(3).pad(1), 1, "conv.weight", null, List.of()),
                new Layer.Border("pad", "conv", chw(3, 5, 5), chw(3, 6, 7), 0, 0),
                new Layer.Border("crop", "pad", chw(3, 6, 7), chw(3, 5, 5), -1, -2),
                new Layer.Conv2d("out", "crop", chw(3, 5, 5), chw(2, 2, 2), Window.kernel(2).stride(2), 1, "out.weight", "out.bias",
                        List.of())), 2, 67);
    }

    /** ShuffleNet v2's unit: half the channels pass, the other half through a convolution, joined and shuffled in two groups. */
    @Test
    void aShuffleUnit() {
        Shape in = chw(6, 3, 3);  // six channels: a shuffle of two groups is then not its own inverse
        Shape half = chw(3, 3, 3);
        GradientCheck.check(Graphs.of(in,
                new Layer.Conv2d("stem", IN, in, in, Window.kernel(3).pad(1), 1, "stem.weight", null, List.of()),
                new Layer.ChannelSplit("left", "stem", in, half, 0),
                new Layer.ChannelSplit("right", "stem", in, half, 3),
                new Layer.Conv2d("branch", "right", half, half, Window.kernel(3).pad(1), 1, "branch.weight", "branch.bias", List.of()),
                new Layer.Concat("join", List.of("left", "branch"), List.of(half, half), in),
                new Layer.ChannelShuffle("shuffle", "join", in, 2),
                new Layer.Conv2d("out", "shuffle", in, chw(3, 3, 3), Window.kernel(3).pad(1), 1, "out.weight", null, List.of())), 2, 61);
    }

    /** A batch norm that learns no scale (Keras' scale=False): only its shift is trained, normalising with batch statistics. */
    @Test
    void aBatchNormWithoutScale() {
        Shape in = chw(3, 5, 5);
        Shape mid = chw(4, 5, 5);
        GradientCheck.check(Graphs.of(in,
                new Layer.Conv2d("conv", IN, in, mid, Window.kernel(3).pad(1), 1, "conv.weight", null, List.of()),
                new Layer.BatchNorm("bn", "conv", mid, "bn", 1e-3, 0.01, false),
                new Layer.Activation("relu", "bn", mid, Activation.RELU, 0),
                new Layer.Conv2d("out", "relu", mid, chw(2, 5, 5), Window.kernel(3).pad(1), 1, "out.weight", "out.bias", List.of())), 3, 97);
    }

    /** Inception-ResNet's residual: a branch scaled by a constant, then added to the block's input. */
    @Test
    void aScaledResidualBranch() {
        Shape in = chw(4, 5, 5);
        GradientCheck.check(Graphs.of(in,
                new Layer.Conv2d("branch", IN, in, in, Window.kernel(3).pad(1), 1, "branch.weight", "branch.bias", List.of()),
                new Layer.Multiply("scaled", "branch", in, 0.17),
                new Layer.Add("sum", "scaled", IN, in),
                new Layer.Activation("relu", "sum", in, Activation.RELU, 0)), 2, 83);
    }

    @Test
    void squeezeAndExcitation() {
        Shape in = chw(6, 4, 4);
        Shape gates = chw(6, 1, 1);
        GradientCheck.check(Graphs.of(in,
                new Layer.AdaptiveAvgPool2d("squeeze", IN, in, gates),
                new Layer.Conv2d("fc1", "squeeze", gates, chw(3, 1, 1), Window.kernel(1), 1, "fc1.weight", "fc1.bias", List.of()),
                new Layer.Activation("relu", "fc1", chw(3, 1, 1), Activation.RELU, 0),
                new Layer.Conv2d("fc2", "relu", chw(3, 1, 1), gates, Window.kernel(1), 1, "fc2.weight", "fc2.bias", List.of()),
                new Layer.Activation("sigmoid", "fc2", gates, Activation.SIGMOID, 0),
                new Layer.Scale("excite", "sigmoid", IN, in)), 2, 73);
    }

    @Test
    void aSmallResidualNetworkWithAFinalSoftmax() {
        Shape in = chw(3, 8, 8);
        Shape mid = chw(8, 4, 4);
        GradientCheck.check(Graphs.of(in,
                new Layer.Conv2d("conv1", IN, in, mid, Window.kernel(3).stride(2).pad(1), 1, "conv1.weight", null, List.of()),
                new Layer.BatchNorm("bn1", "conv1", mid, "bn1", 1e-5, 0.1),
                new Layer.Activation("relu1", "bn1", mid, Activation.RELU, 0),
                new Layer.Conv2d("conv2", "relu1", mid, mid, Window.kernel(3).pad(1), 1, "conv2.weight", null, List.of()),
                new Layer.BatchNorm("bn2", "conv2", mid, "bn2", 1e-5, 0.1),
                new Layer.Add("res", "bn2", "relu1", mid),
                new Layer.Activation("relu2", "res", mid, Activation.RELU, 0),
                new Layer.AdaptiveAvgPool2d("gap", "relu2", mid, chw(8, 1, 1)),
                new Layer.Flatten("flat", "gap", chw(8, 1, 1), new Shape(8)),
                new Layer.Dropout("drop", "flat", new Shape(8), 0.2),
                new Layer.Dense("fc", "drop", new Shape(8), new Shape(5), "fc.weight", "fc.bias", false),
                new Layer.Softmax("prob", "fc", new Shape(5))), 4, 79);
    }
}
