package dev.fovea.processor.parse;

import static com.google.common.truth.Truth.assertThat;

import dev.fovea.processor.model.AnnotationUse;
import dev.fovea.processor.model.BlockDecl;
import dev.fovea.processor.model.Expr;
import dev.fovea.processor.model.MemberDecl;
import dev.fovea.processor.model.ParamDecl;
import dev.fovea.processor.model.ParamType;
import dev.fovea.processor.model.Placeholder;
import dev.fovea.processor.model.SourceRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A stored block reads back as the block that was stored, every kind of expression and value included. */
class BlockTemplateTest {
    private static final SourceRef REF = new SourceRef(7);

    @Test
    void everyExpressionAndValueSurvivesTheRoundTrip() {
        Expr width = new Expr.Binary("/", new Expr.Binary("*", new Expr.ParamRef("planes"), Expr.of(4)), Expr.of(2L));
        Expr padding = new Expr.Conditional(new Expr.Binary("==", new Expr.ParamRef("stride"), Expr.of(1)),
                new Expr.Unary("-", Expr.of(1)), Expr.of(0));
        Expr rate = new Expr.Cast("int", new Expr.Binary("*", new Expr.ParamRef("alpha"), Expr.of(0.1 + 0.2)));
        AnnotationUse conv = new AnnotationUse("dev.fovea.annotations.Conv2d", Map.of(
                "filters", width,
                "kernel", new Expr.ArrayOf(List.of(Expr.of(3), new Expr.ParamRef("stride"))),
                "padding", padding,
                "bias", Expr.of(false),
                "name", Expr.of("conv.0"),
                "connections", Expr.of(List.of("X.", ".X")),
                "dilation", rate,
                "shortcut", Expr.of(new Expr.EnumConstant("dev.fovea.annotations.Shortcut", "PROJECTION")),
                "eps", Expr.of(Double.NaN)),
                REF, Map.of("filters", REF, "padding", REF));
        BlockDecl block = new BlockDecl("com.example.Wide", List.of(
                new ParamDecl("planes", ParamType.INT, null, false, REF),
                new ParamDecl("stride", ParamType.INT, Expr.of(1), true, REF),
                new ParamDecl("alpha", ParamType.DOUBLE, Expr.of(1.0), false, REF),
                new ParamDecl("label", ParamType.STRING, Expr.of("a%d"), false, REF)),
                List.of(new Placeholder("planes", ParamType.INT, REF), new Placeholder("stride", ParamType.INT, REF)),
                List.of(new MemberDecl("conv", REF, List.of(conv))), true, REF);

        BlockDecl back = BlockTemplate.read(BlockTemplate.write(block), REF).orElseThrow();

        assertThat(back).isEqualTo(block);
        assertThat(back.members().getFirst().annotations().getFirst().isExplicit("filters")).isTrue();
        assertThat(back.members().getFirst().annotations().getFirst().isExplicit("kernel")).isFalse();
        assertThat(((Expr.Binary) back.members().getFirst().annotations().getFirst().args().get("filters")).right())
                .isEqualTo(Expr.of(2L)); // a long stays a long
    }

    @Test
    void aTemplateOfAnotherFormatOrBrokenIsNone() {
        assertThat(BlockTemplate.read("{\"format\": 99}", REF)).isEmpty();
        assertThat(BlockTemplate.read("{\"format\": 1, \"block\": \"x\"}", REF)).isEmpty();
        assertThat(BlockTemplate.read("not json", REF)).isEmpty();
    }
}
