package dev.fovea.processor.model;

import java.util.List;

/**
 * An annotation value as written: a constant, or an expression over block parameters that each use of
 * the block evaluates again with its own arguments. Values are Integer, Long, Double, Boolean, String,
 * {@link EnumConstant}, or a List of values for arrays.
 */
public sealed interface Expr {
    record Literal(Object value) implements Expr {}

    /** A block parameter, by name. */
    record ParamRef(String name) implements Expr {}

    /** {@code -x}, {@code +x}, {@code !x}, {@code ~x}. */
    record Unary(String operator, Expr operand) implements Expr {}

    /** Arithmetic, comparison, logical, bitwise and shift operators, with Java's semantics. */
    record Binary(String operator, Expr left, Expr right) implements Expr {}

    record Conditional(Expr condition, Expr whenTrue, Expr whenFalse) implements Expr {}

    /** A cast to a primitive type: int, long, double, float, short, byte or char. */
    record Cast(String type, Expr operand) implements Expr {}

    record ArrayOf(List<Expr> elements) implements Expr {
        public ArrayOf {
            elements = List.copyOf(elements);
        }
    }

    /** An enum constant, by its type's qualified name and the constant's name. */
    record EnumConstant(String type, String name) {
        @Override
        public String toString() {
            return type.substring(type.lastIndexOf('.') + 1) + "." + name;
        }
    }

    static Expr of(Object value) {
        return new Literal(value);
    }

    /** Whether the expression reads any block parameter. */
    default boolean isConstant() {
        return switch (this) {
            case Literal l -> true;
            case ParamRef r -> false;
            case Unary u -> u.operand().isConstant();
            case Binary b -> b.left().isConstant() && b.right().isConstant();
            case Conditional c -> c.condition().isConstant() && c.whenTrue().isConstant() && c.whenFalse().isConstant();
            case Cast c -> c.operand().isConstant();
            case ArrayOf a -> a.elements().stream().allMatch(Expr::isConstant);
        };
    }
}
