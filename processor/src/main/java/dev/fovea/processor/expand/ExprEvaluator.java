package dev.fovea.processor.expand;

import dev.fovea.processor.model.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Evaluates annotation expressions under a block use's parameter bindings, with Java's rules for
 * constant expressions: binary numeric promotion, integer division that truncates, string concatenation.
 */
public final class ExprEvaluator {
    /** Thrown for an expression that Java would accept but that cannot be evaluated here (division by zero). */
    public static final class EvalException extends Exception {
        EvalException(String message) {
            super(message);
        }
    }

    private final Map<String, Object> bindings;

    public ExprEvaluator(Map<String, Object> bindings) {
        this.bindings = bindings;
    }

    public Object evaluate(Expr expr) throws EvalException {
        return switch (expr) {
            case Expr.Literal l -> l.value();
            case Expr.ParamRef r -> {
                if (!bindings.containsKey(r.name())) {
                    throw new EvalException("'" + r.name() + "' is not a parameter of this block");
                }
                yield bindings.get(r.name());
            }
            case Expr.Unary u -> unary(u.operator(), evaluate(u.operand()));
            case Expr.Binary b -> binary(b.operator(), b.left(), b.right());
            case Expr.Conditional c -> asBoolean(evaluate(c.condition())) ? evaluate(c.whenTrue()) : evaluate(c.whenFalse());
            case Expr.Cast c -> cast(c.type(), evaluate(c.operand()));
            case Expr.ArrayOf a -> {
                List<Object> values = new ArrayList<>(a.elements().size());
                for (Expr e : a.elements()) {
                    values.add(evaluate(e));
                }
                yield List.copyOf(values);
            }
        };
    }

    private static Object unary(String op, Object v) throws EvalException {
        return switch (op) {
            case "!" -> !asBoolean(v);
            case "+" -> number(v);
            case "-" -> switch (number(v)) {
                case Integer i -> -i;
                case Long l -> -l;
                case Number n -> -n.doubleValue();
            };
            case "~" -> switch (number(v)) {
                case Integer i -> ~i;
                case Long l -> ~l;
                default -> throw new EvalException("~ needs an integer");
            };
            default -> throw new EvalException("unsupported operator " + op);
        };
    }

    private Object binary(String op, Expr leftExpr, Expr rightExpr) throws EvalException {
        if (op.equals("&&")) {
            return asBoolean(evaluate(leftExpr)) && asBoolean(evaluate(rightExpr));
        }
        if (op.equals("||")) {
            return asBoolean(evaluate(leftExpr)) || asBoolean(evaluate(rightExpr));
        }
        Object left = evaluate(leftExpr);
        Object right = evaluate(rightExpr);
        if (op.equals("+") && (left instanceof String || right instanceof String)) {
            return String.valueOf(left) + right;
        }
        if (op.equals("==") || op.equals("!=")) {
            boolean equal = left instanceof Number a && right instanceof Number b
                    ? compare(a, b) == 0
                    : left.equals(right);
            return op.equals("==") == equal;
        }
        if (left instanceof Boolean a && right instanceof Boolean b) {
            return switch (op) {
                case "&" -> a & b;
                case "|" -> a | b;
                case "^" -> a ^ b;
                default -> throw new EvalException("unsupported operator " + op + " on booleans");
            };
        }
        Number a = number(left);
        Number b = number(right);
        return switch (op) {
            case "<" -> compare(a, b) < 0;
            case "<=" -> compare(a, b) <= 0;
            case ">" -> compare(a, b) > 0;
            case ">=" -> compare(a, b) >= 0;
            case "<<", ">>", ">>>" -> shift(op, a, b);
            default -> arithmetic(op, a, b);
        };
    }

    private static Object arithmetic(String op, Number a, Number b) throws EvalException {
        if (a instanceof Double || b instanceof Double || a instanceof Float || b instanceof Float) {
            double x = a.doubleValue();
            double y = b.doubleValue();
            return switch (op) {
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "/" -> x / y;
                case "%" -> x % y;
                default -> throw new EvalException("unsupported operator " + op + " on floating point");
            };
        }
        if (a instanceof Long || b instanceof Long) {
            long x = a.longValue();
            long y = b.longValue();
            if ((op.equals("/") || op.equals("%")) && y == 0) {
                throw new EvalException("division by zero");
            }
            return switch (op) {
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "/" -> x / y;
                case "%" -> x % y;
                case "&" -> x & y;
                case "|" -> x | y;
                case "^" -> x ^ y;
                default -> throw new EvalException("unsupported operator " + op);
            };
        }
        int x = a.intValue();
        int y = b.intValue();
        if ((op.equals("/") || op.equals("%")) && y == 0) {
            throw new EvalException("division by zero");
        }
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "/" -> x / y;
            case "%" -> x % y;
            case "&" -> x & y;
            case "|" -> x | y;
            case "^" -> x ^ y;
            default -> throw new EvalException("unsupported operator " + op);
        };
    }

    private static Object shift(String op, Number a, Number b) throws EvalException {
        if (a instanceof Double || a instanceof Float || b instanceof Double || b instanceof Float) {
            throw new EvalException(op + " needs integers");
        }
        long by = b.longValue();
        if (a instanceof Long l) {
            return switch (op) {
                case "<<" -> l << by;
                case ">>" -> l >> by;
                default -> l >>> by;
            };
        }
        int i = a.intValue();
        return switch (op) {
            case "<<" -> i << by;
            case ">>" -> i >> by;
            default -> i >>> by;
        };
    }

    private static Object cast(String type, Object v) throws EvalException {
        Number n = number(v);
        return switch (type) {
            case "int" -> n.intValue();
            case "long" -> n.longValue();
            case "double" -> n.doubleValue();
            case "float" -> (double) n.floatValue();
            case "short" -> (int) n.shortValue();
            case "byte" -> (int) n.byteValue();
            case "char" -> (int) (char) n.intValue();
            default -> throw new EvalException("cannot cast to " + type);
        };
    }

    private static int compare(Number a, Number b) {
        if (a instanceof Double || b instanceof Double || a instanceof Float || b instanceof Float) {
            return Double.compare(a.doubleValue(), b.doubleValue());
        }
        return Long.compare(a.longValue(), b.longValue());
    }

    private static Number number(Object v) throws EvalException {
        if (v instanceof Character c) {
            return (int) c;
        }
        if (v instanceof Number n) {
            return n;
        }
        throw new EvalException("expected a number but got " + describe(v));
    }

    private static boolean asBoolean(Object v) throws EvalException {
        if (v instanceof Boolean b) {
            return b;
        }
        throw new EvalException("expected a boolean but got " + describe(v));
    }

    static String describe(Object v) {
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }
}
