package dev.fovea.processor.expand;

import dev.fovea.processor.diag.Problems;
import dev.fovea.processor.graph.Hw;
import dev.fovea.processor.model.AnnotationUse;
import dev.fovea.processor.model.Expr;
import dev.fovea.processor.model.SourceRef;
import java.util.ArrayList;
import java.util.List;

/**
 * The evaluated arguments of one annotation, read by element name and type. A value that cannot be
 * evaluated or is out of range becomes a problem on that value, and the getter returns a harmless stand-in
 * so that checking goes on and every problem of the compile is reported.
 */
final class Args {
    private final AnnotationUse use;
    private final ExprEvaluator evaluator;
    private final Problems problems;
    private final String layer;
    private final List<SourceRef> useSites;
    private boolean failed;

    /**
     * {@code layer} names the layer in messages (with its block instances); {@code useSites} are the
     * block uses it was expanded from, reported beside the value itself.
     */
    Args(AnnotationUse use, ExprEvaluator evaluator, Problems problems, String layer, List<SourceRef> useSites) {
        this.use = use;
        this.evaluator = evaluator;
        this.problems = problems;
        this.layer = layer;
        this.useSites = useSites;
    }

    /** Whether any argument was bad. */
    boolean failed() {
        return failed;
    }

    AnnotationUse use() {
        return use;
    }

    Object value(String element) {
        Expr expr = use.args().get(element);
        if (expr == null) {
            return null;
        }
        try {
            return evaluator.evaluate(expr);
        } catch (ExprEvaluator.EvalException e) {
            bad(element, "cannot evaluate " + element + ": " + e.getMessage());
            return null;
        }
    }

    int integer(String element) {
        return value(element) instanceof Number n ? n.intValue() : 1;
    }

    int positive(String element) {
        int v = integer(element);
        if (v <= 0) {
            bad(element, element + " must be positive but is " + v);
            return 1;
        }
        return v;
    }

    double real(String element) {
        return value(element) instanceof Number n ? n.doubleValue() : 0.0;
    }

    boolean bool(String element) {
        return value(element) instanceof Boolean b && b;
    }

    String string(String element) {
        return value(element) instanceof String s ? s : "";
    }

    List<String> strings(String element) {
        List<String> out = new ArrayList<>();
        if (value(element) instanceof List<?> list) {
            for (Object o : list) {
                out.add(String.valueOf(o));
            }
        } else if (value(element) instanceof String s) {
            out.add(s);
        }
        return out;
    }

    String enumName(String element) {
        return value(element) instanceof Expr.EnumConstant c ? c.name() : "";
    }

    /** An int[] element: empty, one value, or two; each at least {@code min}. */
    int[] ints(String element, int min) {
        Object v = value(element);
        List<Integer> values = new ArrayList<>();
        if (v instanceof List<?> list) {
            for (Object o : list) {
                values.add(o instanceof Number n ? n.intValue() : min);
            }
        } else if (v instanceof Number n) {
            values.add(n.intValue());
        }
        if (values.size() > 2) {
            bad(element, element + " takes one value or two (height, width) but has " + values.size());
            return new int[] {min};
        }
        for (int x : values) {
            if (x < min) {
                bad(element, element + " must be at least " + min + " but is " + x);
                return new int[] {Math.max(min, 1)};
            }
        }
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A one- or two-valued element as height and width, or {@code fallback} when it is empty. */
    Hw hw(String element, int min, Hw fallback) {
        int[] v = ints(element, min);
        return switch (v.length) {
            case 0 -> fallback;
            case 1 -> Hw.square(v[0]);
            default -> new Hw(v[0], v[1]);
        };
    }

    SourceRef ref(String element) {
        return use.refOf(element);
    }

    void bad(String element, String message) {
        failed = true;
        List<SourceRef> refs = new ArrayList<>();
        refs.add(ref(element));
        refs.addAll(useSites);
        problems.error("BadArgument", layer + ": " + message, refs);
    }
}
