package dev.fovea.processor.cost;

import dev.fovea.runtime.weights.TensorSpec;
import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static dev.fovea.processor.Decls.member;
import static dev.fovea.processor.Decls.network;
import static dev.fovea.processor.Decls.use;

import dev.fovea.processor.Pipeline;
import dev.fovea.processor.diag.Problems;
import dev.fovea.processor.graph.Op;
import dev.fovea.processor.infer.Resolved;
import dev.fovea.processor.report.LayerReport;
import dev.fovea.processor.report.NetworkReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CostModelTest {
    /** LeNet-5's C3 table (LeCun et al. 1998, table I): rows are S2's 6 maps, columns C3's 16. */
    static final List<String> LENET_C3 = List.of(
            "X...XXX..XXXX.XX",
            "XX...XXX..XXXX.X",
            "XXX...XXX..X.XXX",
            ".XXX..XXXX..X.XX",
            "..XXX..XXXX.XX.X",
            "...XXX..XXXX.XXX");

    private static NetworkReport check(dev.fovea.processor.model.NetworkDecl decl) {
        Problems problems = new Problems();
        return Pipeline.check(decl, Map.of(), problems).orElseThrow(() -> new AssertionError(problems.all()));
    }

    @Test
    void partiallyConnectedConvolutionCountsOnlyItsConnections() {
        NetworkReport r = check(network("LeNet", new int[] {6, 14, 14},
                member("c3", use("Conv2d", "filters", 16, "kernel", List.of(5), "connections", LENET_C3))));
        LayerReport c3 = r.layers().getFirst();
        assertThat(c3.cost().params()).isEqualTo(1_516L); // 60 connections x 25 + 16 biases
        assertThat(c3.cost().macs()).isEqualTo(10L * 10 * 60 * 25);
        assertThat(c3.layer().output().toString()).isEqualTo("16x10x10");
    }

    @Test
    void groupedConvolutionDividesTheWeights() {
        NetworkReport r = check(network("N", new int[] {64, 8, 8},
                member("g", use("Conv2d", "filters", 128, "kernel", List.of(3), "padding", List.of(1), "groups", 32, "bias", false))));
        TensorSpec weight = r.layers().getFirst().cost().tensors().getFirst();
        assertThat(weight.shape()).asList().containsExactly(128, 2, 3, 3).inOrder();
        assertThat(r.params()).isEqualTo(128L * 2 * 9);
        assertThat(r.macs()).isEqualTo(128L * 8 * 8 * 2 * 9);
    }

    @Test
    void batchNormStatisticsAreBuffersNotParameters() {
        NetworkReport r = check(network("N", new int[] {32, 4, 4}, member("bn", use("BatchNorm"))));
        assertThat(r.params()).isEqualTo(64L);
        assertThat(r.bufferValues()).isEqualTo(64L);
        assertThat(r.layers().getFirst().cost().tensors().stream().map(TensorSpec::name).toList())
                .containsExactly("bn.weight", "bn.bias", "bn.running_mean", "bn.running_var").inOrder();
    }

    @Test
    void batchNormWithoutScaleLearnsOnlyItsShift() {
        NetworkReport r = check(network("N", new int[] {32, 4, 4}, member("bn", use("BatchNorm", "scale", false))));
        assertThat(r.params()).isEqualTo(32L);
        assertThat(r.bufferValues()).isEqualTo(64L);
        assertThat(r.layers().getFirst().cost().tensors().stream().map(TensorSpec::name).toList())
                .containsExactly("bn.bias", "bn.running_mean", "bn.running_var").inOrder();
    }

    @Test
    void transposedConvolutionWeightsArePyTorchsInputMajorLayout() {
        NetworkReport r = check(network("N", new int[] {16, 7, 7},
                member("up", use("ConvTranspose2d", "filters", 8, "kernel", List.of(2), "stride", List.of(2)))));
        TensorSpec weight = r.layers().getFirst().cost().tensors().getFirst();
        assertThat(weight.shape()).asList().containsExactly(16, 8, 2, 2).inOrder();
        assertThat(r.macs()).isEqualTo(16L * 7 * 7 * 8 * 4);
    }

    @Test
    void memoryPlanReusesBuffersOfElementwiseLayersAndKeepsBranchesAlive() {
        NetworkReport r = check(network("N", new int[] {8, 16, 16},
                member("conv", use("Conv2d", "filters", 8, "kernel", List.of(3), "padding", List.of(1)), use("ReLU")),
                member("conv2", use("Conv2d", "filters", 8, "kernel", List.of(3), "padding", List.of(1))),
                member("sum", use("Add", "from", "conv"))));
        long tensor = 8L * 16 * 16 * 4;
        MemoryPlan plan = r.memory();
        // conv, conv/relu (in place), conv2, sum (in place over conv2): 2 buffers, both live at the end.
        assertThat(plan.bufferBytes()).hasLength(2);
        assertThat(plan.peakBytes()).isEqualTo(2 * tensor);
        assertThat(plan.totalBytes()).isEqualTo(4 * tensor);
    }

    @Test
    void memoryPlanGivesEachOutputTheBufferFreedLast() {
        NetworkReport r = check(network("N", new int[] {8, 16, 16},
                member("a", use("Conv2d", "filters", 16, "kernel", List.of(3), "padding", List.of(1))),
                member("b", use("Conv2d", "filters", 8, "kernel", List.of(3), "padding", List.of(1))),
                member("c", use("Conv2d", "filters", 16, "kernel", List.of(3), "padding", List.of(1))),
                member("d", use("Conv2d", "filters", 4, "kernel", List.of(3), "padding", List.of(1)))));
        MemoryPlan plan = r.memory();
        int[] buffer = plan.buffer(); // input, a, b, c, d
        assertThat(buffer[2]).isNotEqualTo(buffer[1]); // b reads a
        assertThat(buffer[3]).isEqualTo(buffer[1]); // a's last reader, b, has run
        // d, the output, is free to take b's buffer but gets one of its own, exactly its size
        assertThat(buffer[4]).isNotEqualTo(buffer[2]);
        assertThat(plan.bufferBytes()[buffer[4]]).isEqualTo(4L * 16 * 16 * 4);
        assertThat(plan.bufferBytes()).asList().containsExactly(16L * 16 * 16 * 4, 8L * 16 * 16 * 4, 4L * 16 * 16 * 4).inOrder();
        assertThat(plan.peakBytes()).isEqualTo((16L + 8) * 16 * 16 * 4);
    }

    /**
     * GoogLeNet's stem in small: the warm rule would grow the pool's buffer for c (it is free; a's larger one
     * is not yet), leaving it beside a's. Packed by size, c takes a's buffer, a fifth less in all.
     */
    @Test
    void memoryPlanPacksBuffersBySizeWhereGrowingOneWouldWasteMemory() {
        NetworkReport r = check(network("N", new int[] {8, 16, 16},
                member("a", use("Conv2d", "filters", 32, "kernel", List.of(3), "padding", List.of(1))),
                member("p", use("MaxPool2d", "kernel", List.of(2), "stride", List.of(2))),
                member("b", use("Conv2d", "filters", 16, "kernel", List.of(1))),
                member("c", use("Conv2d", "filters", 96, "kernel", List.of(3), "padding", List.of(1))),
                member("d", use("Conv2d", "filters", 4, "kernel", List.of(1)))));
        MemoryPlan plan = r.memory();
        int[] buffer = plan.buffer(); // input, a, p, b, c, d
        assertThat(buffer[4]).isEqualTo(buffer[1]);
        // a (32 x 16 x 16), p (32 x 8 x 8), b (16 x 8 x 8) and the output d (4 x 8 x 8), not a, c (96 x 8 x 8) and d
        assertThat(plan.bufferBytes()).asList().containsExactly(8192L * 4, 2048L * 4, 1024L * 4, 256L * 4);
        assertThat(plan.peakBytes()).isEqualTo((8192L + 2048) * 4);
    }

    /**
     * MobileNet v1's layers: depthwise, then 1x1, then depthwise. The runtime may run a 1x1 layer and the
     * depthwise layer after it as one step, which reads the 1x1 layer's input while it writes the
     * depthwise layer's output; the warm plan would otherwise give both one buffer (the 1x1 layer's input
     * is dead by the time the depthwise layer writes). A 1x1 layer of 24 channels, which the runtime
     * does not fuse, shares it as before.
     */
    @Test
    void memoryPlanKeepsAFusablePointwiseLayersInputApartFromTheDepthwiseOutput() {
        NetworkReport r = check(network("N", new int[] {16, 16, 16},
                member("dw1", use("DepthwiseConv2d", "kernel", List.of(3), "padding", List.of(1)), use("ReLU")),
                member("pw1", use("Conv2d", "filters", 32, "kernel", List.of(1)), use("ReLU")),
                member("dw2", use("DepthwiseConv2d", "kernel", List.of(3), "padding", List.of(1)), use("ReLU")),
                member("pw2", use("Conv2d", "filters", 24, "kernel", List.of(1)), use("ReLU")),
                member("dw3", use("DepthwiseConv2d", "kernel", List.of(3), "padding", List.of(1)), use("ReLU")),
                member("head", use("Conv2d", "filters", 2, "kernel", List.of(1)))));
        MemoryPlan plan = r.memory();
        int[] buffer = plan.buffer(); // input, dw1, relu, pw1, relu, dw2, relu, pw2, relu, dw3, relu, head
        assertThat(buffer[5]).isNotEqualTo(buffer[1]);
        assertThat(buffer[9]).isEqualTo(buffer[5]);
        assertThat(plan.peakBytes()).isEqualTo(2L * 32 * 16 * 16 * 4);
    }

    @Test
    void memoryPlanReservesAJoinedTensorFromItsFirstBranch() {
        NetworkReport r = check(network("N", new int[] {8, 16, 16},
                member("branch1", use("Conv2d", "filters", 8, "kernel", List.of(1))),
                member("reduce", use("From", "value", "input"), use("Conv2d", "filters", 4, "kernel", List.of(1))),
                member("branch2", use("Conv2d", "filters", 8, "kernel", List.of(3), "padding", List.of(1))),
                member("joined", use("Concat", "value", List.of("branch1", "branch2"))),
                member("head", use("Conv2d", "filters", 2, "kernel", List.of(1)))));
        int[] buffer = r.memory().buffer(); // input, branch1, reduce, branch2, joined, head
        // reduce's buffer is free when the concatenation runs, but the branches write into the joined
        // tensor before that: it must be a buffer no value between them holds
        assertThat(buffer[4]).isNotEqualTo(buffer[1]);
        assertThat(buffer[4]).isNotEqualTo(buffer[2]);
        assertThat(buffer[4]).isNotEqualTo(buffer[3]);
    }

    @Test
    void memoryPlanNeverHandsALayerABufferAValueStillNeeds() {
        NetworkReport r = check(network("N", new int[] {8, 16, 16},
                member("stem", use("Conv2d", "filters", 16, "kernel", List.of(3), "padding", List.of(1)), use("ReLU")),
                member("b1", use("Conv2d", "filters", 8, "kernel", List.of(1))),
                member("r2", use("From", "value", "stem"), use("Conv2d", "filters", 4, "kernel", List.of(1)), use("ReLU")),
                member("b2", use("Conv2d", "filters", 8, "kernel", List.of(3), "padding", List.of(1))),
                member("p3", use("From", "value", "stem"), use("MaxPool2d", "kernel", List.of(3), "stride", List.of(1), "padding", List.of(1))),
                member("b3", use("Conv2d", "filters", 8, "kernel", List.of(1))),
                member("joined", use("Concat", "value", List.of("b1", "b2", "b3"))),
                member("mix", use("Conv2d", "filters", 24, "kernel", List.of(1)), use("BatchNorm")),
                member("sum", use("Add", "from", "joined"), use("ReLU")),
                member("down", use("Conv2d", "filters", 16, "kernel", List.of(3), "stride", List.of(2), "padding", List.of(1))),
                member("again", use("Conv2d", "filters", 16, "kernel", List.of(3), "padding", List.of(1)), use("ReLU"),
                        use("Conv2d", "filters", 16, "kernel", List.of(1))),
                member("sum2", use("Add", "from", "down")),
                member("head", use("Conv2d", "filters", 4, "kernel", List.of(1)))));
        var layers = r.inferred().layers();
        int n = layers.size();
        int[] buffer = r.memory().buffer();
        int[] lastUse = new int[n];
        int[] readers = new int[n];
        for (int i = 0; i < n; i++) {
            lastUse[i] = Math.max(lastUse[i], i);
            for (int in : layers.get(i).node().inputs()) {
                lastUse[in] = Math.max(lastUse[in], i);
                readers[in]++;
            }
        }
        int sharing = 0;
        int shortcuts = 0;
        for (int i = 1; i < n; i++) {
            for (int v = 1; v < i; v++) {
                boolean live = lastUse[v] >= i;
                if (live && buffer[v] == buffer[i]) {
                    // only an element-wise layer over its input, which nothing else reads, may share, or a residual
                    // addition over its shortcut, which it reads last, added to a value only it reads
                    List<Integer> inputs = layers.get(i).node().inputs();
                    boolean overInput = inputs.getFirst() == v && readers[v] == 1;
                    boolean overShortcut = layers.get(i).op() instanceof Op.Add && inputs.size() == 2 && inputs.get(1) == v
                            && lastUse[v] == i && readers[inputs.getFirst()] == 1;
                    assertWithMessage("%s shares %s's buffer", layers.get(i).node().name(), layers.get(v).node().name())
                            .that(overInput || overShortcut).isTrue();
                    shortcuts += overShortcut ? 1 : 0;
                } else if (!live && buffer[v] == buffer[i]) {
                    sharing++;
                }
            }
        }
        assertThat(sharing).isGreaterThan(0); // and buffers are reused
        // sum2 writes over its shortcut, down; sum does not, as mix, which makes the value it adds to, reads joined
        assertThat(shortcuts).isEqualTo(1);
        assertThat(buffer[index(layers, "sum2")]).isEqualTo(buffer[index(layers, "down")]);
        assertThat(buffer[index(layers, "sum")]).isNotEqualTo(buffer[index(layers, "joined")]);
        long outputBytes = layers.get(n - 1).output().elements() * MemoryPlan.FLOAT_BYTES;
        assertThat(r.memory().bufferBytes()[buffer[n - 1]]).isEqualTo(outputBytes);
    }

    private static int index(List<Resolved> layers, String name) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).node().name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no layer " + name);
    }
}
