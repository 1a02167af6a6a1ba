package dev.fovea.processor.parse;

import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.ConditionalExpressionTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import dev.fovea.processor.model.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;

/**
 * Reads an annotation value's source tree back into an {@link Expr}, so that {@code 4 * width} in a block
 * stays an expression over the parameter {@code width} instead of javac's folded constant.
 */
final class ExprReader {
    /** An expression Fovea cannot re-evaluate (a method call, say); javac has accepted it as a constant. */
    static final class Unsupported extends Exception {
        final Tree tree;

        Unsupported(String message, Tree tree) {
            super(message);
            this.tree = tree;
        }
    }

    private final Trees trees;
    private final TypeElement layers;
    private final Set<String> params;
    private final Set<String> expanding = new java.util.HashSet<>();

    /**
     * Identifiers naming a constant of {@code layers} that is a parameter ({@code params}) become parameter
     * references; the other constants of {@code layers} are derived, and their initializers are read in
     * their place.
     */
    ExprReader(Trees trees, TypeElement layers, Set<String> params) {
        this.trees = trees;
        this.layers = layers;
        this.params = params;
    }

    Expr read(ExpressionTree tree, TreePath parent) throws Unsupported {
        TreePath path = new TreePath(parent, tree);
        return switch (tree.getKind()) {
            case PARENTHESIZED -> read(((ParenthesizedTree) tree).getExpression(), path);
            case INT_LITERAL, LONG_LITERAL, DOUBLE_LITERAL, BOOLEAN_LITERAL, STRING_LITERAL, CHAR_LITERAL ->
                    Expr.of(((LiteralTree) tree).getValue());
            case FLOAT_LITERAL -> Expr.of(((Number) ((LiteralTree) tree).getValue()).doubleValue());
            case IDENTIFIER, MEMBER_SELECT -> name(tree, path);
            case UNARY_MINUS -> new Expr.Unary("-", read(((UnaryTree) tree).getExpression(), path));
            case UNARY_PLUS -> new Expr.Unary("+", read(((UnaryTree) tree).getExpression(), path));
            case LOGICAL_COMPLEMENT -> new Expr.Unary("!", read(((UnaryTree) tree).getExpression(), path));
            case BITWISE_COMPLEMENT -> new Expr.Unary("~", read(((UnaryTree) tree).getExpression(), path));
            case CONDITIONAL_EXPRESSION -> {
                ConditionalExpressionTree c = (ConditionalExpressionTree) tree;
                yield new Expr.Conditional(read(c.getCondition(), path), read(c.getTrueExpression(), path),
                        read(c.getFalseExpression(), path));
            }
            case TYPE_CAST -> {
                TypeCastTree c = (TypeCastTree) tree;
                yield new Expr.Cast(c.getType().toString(), read(c.getExpression(), path));
            }
            case NEW_ARRAY -> {
                List<Expr> elements = new ArrayList<>();
                NewArrayTree array = (NewArrayTree) tree;
                if (array.getInitializers() != null) {
                    for (ExpressionTree e : array.getInitializers()) {
                        elements.add(read(e, path));
                    }
                }
                yield new Expr.ArrayOf(elements);
            }
            default -> {
                String op = binaryOperator(tree.getKind());
                if (op == null) {
                    throw new Unsupported("Fovea cannot re-evaluate " + tree.getKind().toString().toLowerCase(java.util.Locale.ROOT)
                            + " `" + tree + "`; use arithmetic, comparisons, ?: and casts", tree);
                }
                BinaryTree b = (BinaryTree) tree;
                yield new Expr.Binary(op, read(b.getLeftOperand(), path), read(b.getRightOperand(), path));
            }
        };
    }

    private Expr name(ExpressionTree tree, TreePath path) throws Unsupported {
        Element element = trees.getElement(path);
        if (element instanceof VariableElement v) {
            String name = v.getSimpleName().toString();
            if (layers != null && layers.equals(v.getEnclosingElement())) {
                return params.contains(name) ? new Expr.ParamRef(name) : derived(v, tree);
            }
            if (v.getKind() == ElementKind.ENUM_CONSTANT) {
                TypeElement type = (TypeElement) v.getEnclosingElement();
                return Expr.of(new Expr.EnumConstant(type.getQualifiedName().toString(), v.getSimpleName().toString()));
            }
            Object constant = v.getConstantValue();
            if (constant != null) {
                return Expr.of(constant instanceof Float f ? f.doubleValue() : constant);
            }
        }
        throw new Unsupported("`" + tree + "` is not a constant or a block parameter", tree);
    }

    /** A derived constant of Layers ({@code int width = planes * 4;}): its initializer, read again. */
    private Expr derived(VariableElement v, ExpressionTree use) throws Unsupported {
        String name = v.getSimpleName().toString();
        if (!(trees.getTree(v) instanceof VariableTree declaration) || declaration.getInitializer() == null) {
            throw new Unsupported("`" + name + "` has no initializer Fovea can read", use);
        }
        if (!expanding.add(name)) {
            throw new Unsupported("`" + name + "` is defined in terms of itself", use);
        }
        try {
            return read(declaration.getInitializer(), trees.getPath(v));
        } finally {
            expanding.remove(name);
        }
    }

    /** Whether a constant's initializer is a plain literal: then the constant stands for a parameter. */
    static boolean isLiteral(ExpressionTree initializer) {
        ExpressionTree t = initializer;
        while (t instanceof ParenthesizedTree p) {
            t = p.getExpression();
        }
        if (t instanceof UnaryTree u && (u.getKind() == Tree.Kind.UNARY_MINUS || u.getKind() == Tree.Kind.UNARY_PLUS)) {
            t = u.getExpression();
        }
        return t instanceof LiteralTree;
    }

    private static String binaryOperator(Tree.Kind kind) {
        return switch (kind) {
            case PLUS -> "+";
            case MINUS -> "-";
            case MULTIPLY -> "*";
            case DIVIDE -> "/";
            case REMAINDER -> "%";
            case LEFT_SHIFT -> "<<";
            case RIGHT_SHIFT -> ">>";
            case UNSIGNED_RIGHT_SHIFT -> ">>>";
            case LESS_THAN -> "<";
            case GREATER_THAN -> ">";
            case LESS_THAN_EQUAL -> "<=";
            case GREATER_THAN_EQUAL -> ">=";
            case EQUAL_TO -> "==";
            case NOT_EQUAL_TO -> "!=";
            case AND -> "&";
            case OR -> "|";
            case XOR -> "^";
            case CONDITIONAL_AND -> "&&";
            case CONDITIONAL_OR -> "||";
            default -> null;
        };
    }
}
