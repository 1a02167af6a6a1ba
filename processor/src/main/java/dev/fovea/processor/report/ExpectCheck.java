package dev.fovea.processor.report;

import dev.fovea.processor.diag.Problems;
import dev.fovea.processor.expand.ExprEvaluator;
import dev.fovea.processor.model.AnnotationUse;
import dev.fovea.processor.model.Expr;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Holds a network to the figures of its {@code @Expect}: each one that differs is an error on its value. */
public final class ExpectCheck {
    private ExpectCheck() {}

    public static void check(NetworkReport report, AnnotationUse expect, Problems problems) {
        figure(report, expect, "params", "parameters", report.params(), problems);
        figure(report, expect, "macs", "multiply-accumulates", report.macs(), problems);
        if (expect.args().get("output") instanceof Expr.Literal lit && lit.value() instanceof List<?> dims && !dims.isEmpty()) {
            int[] expected = dims.stream().mapToInt(d -> ((Number) d).intValue()).toArray();
            if (!java.util.Arrays.equals(expected, report.output().dims())) {
                problems.error("Expect", report.simpleName() + " outputs " + report.output() + " but @Expect says "
                        + String.join("x", java.util.Arrays.stream(expected).mapToObj(Integer::toString).toList()),
                        expect.refOf("output"));
            }
        }
    }

    private static void figure(NetworkReport report, AnnotationUse expect, String element, String what, long actual,
            Problems problems) {
        Object value;
        try {
            value = new ExprEvaluator(Map.of()).evaluate(expect.args().get(element));
        } catch (ExprEvaluator.EvalException e) {
            return;
        }
        long expected = ((Number) value).longValue();
        if (expected >= 0 && expected != actual) {
            long diff = actual - expected;
            problems.error("Expect", String.format(Locale.ROOT, "%s has %,d %s but @Expect says %,d (%s%,d)",
                    report.simpleName(), actual, what, expected, diff > 0 ? "+" : "", diff), expect.refOf(element));
        }
    }
}
