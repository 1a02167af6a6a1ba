package dev.fovea.processor.expand;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.processor.model.Expr;
import dev.fovea.processor.model.Expr.Binary;
import dev.fovea.processor.model.Expr.Cast;
import dev.fovea.processor.model.Expr.Conditional;
import dev.fovea.processor.model.Expr.ParamRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExprEvaluatorTest {
    private final ExprEvaluator eval = new ExprEvaluator(Map.of("width", 64, "alpha", 0.75, "big", 3_000_000_000L, "name", "layer"));

    private Object run(Expr e) throws ExprEvaluator.EvalException {
        return eval.evaluate(e);
    }

    @Test
    void integerArithmeticTruncatesLikeJava() throws Exception {
        assertThat(run(new Binary("/", Expr.of(7), Expr.of(2)))).isEqualTo(3);
        assertThat(run(new Binary("/", Expr.of(-7), Expr.of(2)))).isEqualTo(-3);
        assertThat(run(new Binary("%", Expr.of(-7), Expr.of(2)))).isEqualTo(-1);
        assertThat(run(new Binary("*", Expr.of(4), new ParamRef("width")))).isEqualTo(256);
    }

    @Test
    void binaryNumericPromotion() throws Exception {
        assertThat(run(new Binary("*", new ParamRef("alpha"), Expr.of(64)))).isEqualTo(48.0);
        assertThat(run(new Binary("+", new ParamRef("big"), Expr.of(1)))).isEqualTo(3_000_000_001L);
        assertThat(run(new Binary("*", Expr.of(65536), Expr.of(65536)))).isEqualTo(0); // int overflow, as in Java
    }

    @Test
    void castsRoundTowardZero() throws Exception {
        assertThat(run(new Cast("int", new Binary("*", new ParamRef("alpha"), Expr.of(50))))).isEqualTo(37);
        assertThat(run(new Cast("double", Expr.of(3)))).isEqualTo(3.0);
    }

    @Test
    void conditionalsComparisonsAndLogic() throws Exception {
        Expr wide = new Binary(">", new ParamRef("width"), Expr.of(32));
        assertThat(run(new Conditional(wide, Expr.of("wide"), Expr.of("narrow")))).isEqualTo("wide");
        assertThat(run(new Binary("&&", wide, new Binary("==", Expr.of(2.0), Expr.of(2))))).isEqualTo(true);
        assertThat(run(new Expr.Unary("!", wide))).isEqualTo(false);
        assertThat(run(new Binary("<<", Expr.of(1), Expr.of(5)))).isEqualTo(32);
    }

    @Test
    void stringConcatenation() throws Exception {
        assertThat(run(new Binary("+", new ParamRef("name"), new Binary("+", Expr.of("."), Expr.of(3))))).isEqualTo("layer.3");
    }

    @Test
    void arrays() throws Exception {
        assertThat(run(new Expr.ArrayOf(List.of(Expr.of(1), new ParamRef("width"))))).isEqualTo(List.of(1, 64));
    }

    @Test
    void divisionByZeroAndUnknownParametersAreErrorsNotCrashes() {
        var zero = assertThrows(ExprEvaluator.EvalException.class, () -> run(new Binary("/", Expr.of(1), Expr.of(0))));
        assertThat(zero).hasMessageThat().isEqualTo("division by zero");
        var unknown = assertThrows(ExprEvaluator.EvalException.class, () -> run(new ParamRef("depth")));
        assertThat(unknown).hasMessageThat().contains("'depth' is not a parameter");
        var type = assertThrows(ExprEvaluator.EvalException.class, () -> run(new Binary("*", Expr.of("a"), Expr.of(2))));
        assertThat(type).hasMessageThat().contains("expected a number");
    }

    @Test
    void constantness() {
        assertThat(new Binary("*", Expr.of(2), Expr.of(3)).isConstant()).isTrue();
        assertThat(new Binary("*", Expr.of(2), new ParamRef("width")).isConstant()).isFalse();
    }
}
