package dev.fovea.processor.infer;

import static com.google.common.truth.Truth.assertThat;
import static dev.fovea.processor.Decls.member;
import static dev.fovea.processor.Decls.network;
import static dev.fovea.processor.Decls.use;

import dev.fovea.processor.Pipeline;
import dev.fovea.processor.diag.Problem;
import dev.fovea.processor.diag.Problems;
import dev.fovea.processor.model.NetworkDecl;
import dev.fovea.processor.report.LayerReport;
import dev.fovea.processor.report.NetworkReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Shape rules on hand-built declarations: no javac involved. */
class ShapeInferenceTest {
    private static NetworkReport check(NetworkDecl decl) {
        Problems problems = new Problems();
        NetworkReport report = Pipeline.check(decl, Map.of(), problems)
                .orElseThrow(() -> new AssertionError(problems.all().stream().map(Problem::render).toList()));
        return report;
    }

    private static String shapeOf(NetworkReport r, String layer) {
        return r.layers().stream().filter(l -> l.name().equals(layer)).findFirst().map(l -> l.layer().output().toString())
                .orElseThrow();
    }

    private static LayerReport layerOf(NetworkReport r, String layer) {
        return r.layers().stream().filter(l -> l.name().equals(layer)).findFirst().orElseThrow();
    }

    @Test
    void outputSizeRuleWithPaddingDilationAndFloorDivision() {
        NetworkReport r = check(network("N", new int[] {3, 32, 31},
                member("a", use("Conv2d", "filters", 8, "kernel", List.of(3), "stride", List.of(2), "padding", List.of(1))),
                member("b", use("Conv2d", "filters", 8, "kernel", List.of(3), "dilation", List.of(2), "padding", List.of(2))),
                member("c", use("Conv2d", "filters", 8, "kernel", List.of(1, 5), "stride", List.of(1, 3)))));
        // floor((32 + 2 - 2 - 1) / 2) + 1 = 16; floor((31 + 2 - 3) / 2) + 1 = 16
        assertThat(shapeOf(r, "a")).isEqualTo("8x16x16");
        // dilation 2 spans 5; padding 2 keeps the size
        assertThat(shapeOf(r, "b")).isEqualTo("8x16x16");
        assertThat(shapeOf(r, "c")).isEqualTo("8x16x4");
    }

    @Test
    void samePaddingIsAsymmetricWhenTheTotalIsOdd() {
        NetworkReport r = check(network("N", new int[] {3, 8, 7},
                member("a", use("Conv2d", "filters", 4, "kernel", List.of(3), "stride", List.of(2), "padding", List.of(-1)))));
        // ceil(8/2) = 4, needs (4-1)*2+3-8 = 1 row: 0 on top, 1 below; ceil(7/2) = 4, needs 2: 1 and 1.
        assertThat(shapeOf(r, "a")).isEqualTo("4x4x4");
        var conv = (dev.fovea.processor.graph.Op.Conv) layerOf(r, "a").layer().op();
        assertThat(conv.padding().top()).isEqualTo(0);
        assertThat(conv.padding().bottom()).isEqualTo(1);
        assertThat(conv.padding().left()).isEqualTo(1);
        assertThat(conv.padding().right()).isEqualTo(1);
    }

    @Test
    void ceilModePoolingAsInTorchvisionGoogLeNet() {
        NetworkReport r = check(network("N", new int[] {64, 112, 112},
                member("floor", use("MaxPool2d", "kernel", List.of(3), "stride", List.of(2))),
                member("ceil", use("From", "value", "input"),
                        use("MaxPool2d", "kernel", List.of(3), "stride", List.of(2), "ceilMode", true))));
        assertThat(shapeOf(r, "floor")).isEqualTo("64x55x55");
        assertThat(shapeOf(r, "ceil")).isEqualTo("64x56x56");
    }

    @Test
    void ceilModeNeverStartsAWindowInThePadding() {
        // PyTorch: 5 -> kernel 2, stride 2, padding 1, ceil: 4 windows would start at 6 (padding only), so 3.
        NetworkReport r = check(network("N", new int[] {1, 5, 5},
                member("p", use("MaxPool2d", "kernel", List.of(2), "stride", List.of(2), "padding", List.of(1), "ceilMode", true))));
        assertThat(shapeOf(r, "p")).isEqualTo("1x3x3");
    }

    @Test
    void transposedConvolutionUndoesAStridedConvolution() {
        NetworkReport r = check(network("N", new int[] {16, 7, 7},
                member("up", use("ConvTranspose2d", "filters", 8, "kernel", List.of(3), "stride", List.of(2), "padding", List.of(1),
                        "outputPadding", List.of(1)))));
        // (7-1)*2 - 2 + 2 + 1 + 1 = 14
        assertThat(shapeOf(r, "up")).isEqualTo("8x14x14");
    }

    @Test
    void poolingFlattenDenseChain() {
        NetworkReport r = check(network("N", new int[] {3, 32, 32},
                member("conv", use("Conv2d", "filters", 6, "kernel", List.of(5)), use("ReLU")),
                member("pool", use("AvgPool2d", "kernel", List.of(2))),
                member("gap", use("AdaptiveAvgPool2d", "output", List.of(3))),
                member("flat", use("Flatten")),
                member("fc", use("Dense", "units", 10), use("Softmax"))));
        assertThat(shapeOf(r, "conv/relu")).isEqualTo("6x28x28");
        assertThat(shapeOf(r, "pool")).isEqualTo("6x14x14");
        assertThat(shapeOf(r, "gap")).isEqualTo("6x3x3");
        assertThat(shapeOf(r, "flat")).isEqualTo("54");
        assertThat(shapeOf(r, "fc/softmax")).isEqualTo("10");
        assertThat(r.macs()).isEqualTo(6L * 28 * 28 * 3 * 25 + 54 * 10);
    }

    @Test
    void widthFactorSetsOutputChannelsFromTheInput() {
        NetworkReport r = check(network("N", new int[] {24, 8, 8},
                member("expand", use("Conv2d", "widthFactor", 6.0, "kernel", List.of(1))),
                member("halve", use("Conv2d", "widthFactor", 0.5, "kernel", List.of(1)))));
        assertThat(shapeOf(r, "expand")).isEqualTo("144x8x8");
        assertThat(shapeOf(r, "halve")).isEqualTo("72x8x8");
    }

    @Test
    void pointwiseDenseAppliesToTheChannelsAtEveryPosition() {
        NetworkReport r = check(network("N", new int[] {96, 56, 56},
                member("pw", use("Dense", "units", 384, "pointwise", true))));
        assertThat(shapeOf(r, "pw")).isEqualTo("384x56x56");
        assertThat(layerOf(r, "pw").cost().tensors().getFirst().shape()).asList().containsExactly(384, 96).inOrder();
        assertThat(r.macs()).isEqualTo(384L * 56 * 56 * 96);
        assertThat(r.params()).isEqualTo(384L * 96 + 384);
    }

    @Test
    void projectionStrideIsFoundFromTheShapes() {
        NetworkReport r = check(network("N", new int[] {64, 56, 56},
                member("conv", use("Conv2d", "filters", 128, "kernel", List.of(3), "stride", List.of(2), "padding", List.of(1))),
                member("sum", use("Add", "shortcut", new dev.fovea.processor.model.Expr.EnumConstant("dev.fovea.annotations.Shortcut", "PROJECTION")))));
        LayerReport sum = layerOf(r, "sum");
        assertThat(sum.detail()).isEqualTo("projection 1x1/2");
        assertThat(sum.cost().params()).isEqualTo(128L * 64 + 2 * 128);
        assertThat(sum.cost().macs()).isEqualTo(128L * 28 * 28 * 64);
    }

    @Test
    void unknownInputsDoNotCascade() {
        Problems problems = new Problems();
        NetworkDecl decl = network("N", new int[] {3, 4, 4},
                member("bad", use("Conv2d", "filters", 8, "kernel", List.of(9))),
                member("next", use("Conv2d", "filters", 8, "kernel", List.of(3))),
                member("fc", use("Dense", "units", 2)));
        assertThat(Pipeline.check(decl, Map.of(), problems)).isEmpty();
        assertThat(problems.all()).hasSize(1);
        assertThat(problems.all().getFirst().tag()).isEqualTo("KernelTooLarge");
    }
}
