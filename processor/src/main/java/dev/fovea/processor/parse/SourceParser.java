package dev.fovea.processor.parse;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import dev.fovea.processor.diag.Problems;
import dev.fovea.processor.expand.Dsl;
import dev.fovea.processor.model.AnnotationUse;
import dev.fovea.processor.model.BlockDecl;
import dev.fovea.processor.model.DerivedDecl;
import dev.fovea.processor.model.Expr;
import dev.fovea.processor.model.MemberDecl;
import dev.fovea.processor.model.NetworkDecl;
import dev.fovea.processor.model.NetworkSource;
import dev.fovea.processor.model.ParamDecl;
import dev.fovea.processor.model.ParamType;
import dev.fovea.processor.model.Placeholder;
import dev.fovea.processor.model.SourceRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/**
 * Reads networks and blocks from javac's elements into the plain model. This is the only class (with
 * {@link ExprReader}) that sees javax types; everything after it works on records and {@link SourceRef}s.
 */
public final class SourceParser {
    private final Elements elements;
    private final Trees trees;
    private final SiteTable sites;
    private final Problems problems;
    private final Map<String, BlockDecl> blocks = new HashMap<>();
    private final Function<BlockTemplate.Location, Optional<String>> templates;

    /**
     * {@code trees} may be null when the compiler is not javac; then block expressions cannot be re-read.
     * {@code templates} reads a stored {@link BlockTemplate} from the class path, for blocks
     * that come as class files.
     */
    public SourceParser(Elements elements, Trees trees, SiteTable sites, Problems problems,
            Function<BlockTemplate.Location, Optional<String>> templates) {
        this.elements = elements;
        this.trees = trees;
        this.sites = sites;
        this.problems = problems;
        this.templates = templates;
    }

    /** Every block parsed so far (those declared and those used), by qualified name. */
    public Map<String, BlockDecl> blocks() {
        return blocks;
    }

    public NetworkDecl network(TypeElement type) {
        AnnotationMirror network = mirror(type, Dsl.NETWORK).orElseThrow();
        Optional<AnnotationUse> expect = mirror(type, Dsl.EXPECT).map(m -> use(type, m, null, null));
        PackageElement pkg = elements.getPackageOf(type);
        return new NetworkDecl(pkg.isUnnamed() ? "" : pkg.getQualifiedName().toString(), type.getQualifiedName().toString(),
                use(type, network, null, null), expect, members(type, null), sites.of(type));
    }

    /**
     * A network declared with {@code @Derive}, with its base parsed too (from source or from its class
     * file, whose DSL annotations javac keeps); empty after reporting why there is no base to derive from.
     */
    public Optional<DerivedDecl> derivation(TypeElement type) {
        return derivation(type, new HashSet<>());
    }

    private Optional<DerivedDecl> derivation(TypeElement type, Set<String> seen) {
        AnnotationMirror derive = mirror(type, Dsl.DERIVE).orElseThrow();
        AnnotationUse use = use(type, derive, null, null);
        if (mirror(type, Dsl.NETWORK).isPresent()) {
            problems.error("BadArgument", type.getSimpleName() + " has both @Network and @Derive; a derived network takes its input from"
                    + " its base (or @Derive's input): drop @Network", use.ref());
            return Optional.empty();
        }
        TypeElement base = null;
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e : derive.getElementValues().entrySet()) {
            if (e.getKey().getSimpleName().contentEquals("base") && e.getValue().getValue() instanceof DeclaredType t) {
                base = (TypeElement) t.asElement();
            }
        }
        if (base == null) {
            return Optional.empty(); // javac reports the missing or unresolvable class
        }
        NetworkSource baseDecl;
        if (!seen.add(type.getQualifiedName().toString())) {
            problems.error("DeriveCycle", type.getSimpleName() + ": @Derive's bases lead back to " + type.getSimpleName(), use.refOf("base"));
            return Optional.empty();
        } else if (mirror(base, Dsl.DERIVE).isPresent()) {
            Optional<DerivedDecl> inner = derivation(base, seen);
            if (inner.isEmpty()) {
                return Optional.empty();
            }
            baseDecl = inner.get();
        } else if (mirror(base, Dsl.NETWORK).isPresent()) {
            baseDecl = network(base);
        } else {
            problems.error("BadArgument", type.getSimpleName() + ": @Derive's base " + base.getSimpleName() + " is not a network;"
                    + " derive from a type marked @Network or @Derive", use.refOf("base"));
            return Optional.empty();
        }
        Optional<AnnotationUse> expect = mirror(type, Dsl.EXPECT).map(m -> use(type, m, null, null));
        PackageElement pkg = elements.getPackageOf(type);
        return Optional.of(new DerivedDecl(pkg.isUnnamed() ? "" : pkg.getQualifiedName().toString(), type.getQualifiedName().toString(),
                use, baseDecl, expect, members(type, null), sites.of(type)));
    }

    /** The block declared by annotation type {@code type}, parsed once. */
    public BlockDecl block(TypeElement type) {
        String name = type.getQualifiedName().toString();
        BlockDecl known = blocks.get(name);
        if (known != null) {
            return known;
        }
        // Put a stand-in first, so that a block that uses itself ends in a diagnostic, not a loop.
        blocks.put(name, new BlockDecl(name, List.of(), List.of(), List.of(), true, sites.of(type)));
        List<ParamDecl> params = new ArrayList<>();
        for (ExecutableElement m : ElementFilter.methodsIn(type.getEnclosedElements())) {
            Optional<ParamType> t = paramType(m.getReturnType());
            if (t.isEmpty()) {
                problems.error("BlockArguments", "@" + type.getSimpleName() + ": parameter " + m.getSimpleName()
                        + " is a " + m.getReturnType() + "; block parameters are int, long, double, boolean or String", sites.of(m));
                continue;
            }
            Expr fallback = m.getDefaultValue() == null ? null : Expr.of(constant(m.getDefaultValue()));
            params.add(new ParamDecl(m.getSimpleName().toString(), t.get(), fallback, mirror(m, Dsl.FIRST_ONLY).isPresent(),
                    sites.of(m)));
        }
        Optional<TypeElement> layers = ElementFilter.typesIn(type.getEnclosedElements()).stream()
                .filter(t -> t.getSimpleName().contentEquals("Layers")).findFirst();
        List<Placeholder> placeholders = new ArrayList<>();
        List<MemberDecl> members = List.of();
        boolean fromSource = trees != null && layers.isPresent() && trees.getTree(layers.get()) != null;
        if (layers.isPresent()) {
            for (VariableElement f : ElementFilter.fieldsIn(layers.get().getEnclosedElements())) {
                if (isPlaceholder(f)) {
                    paramType(f.asType()).ifPresent(t -> placeholders.add(new Placeholder(f.getSimpleName().toString(), t, sites.of(f))));
                }
            }
            members = members(layers.get(), params.stream().map(ParamDecl::name).collect(Collectors.toSet()));
        }
        BlockDecl block = new BlockDecl(name, params, placeholders, members, fromSource, sites.of(type));
        if (!fromSource) {
            // the blocks it uses are parsed above, from their own class files and templates
            BlockTemplate.Location at = BlockTemplate.location(elements.getPackageOf(type).getQualifiedName().toString(), name);
            block = templates.apply(at).flatMap(json -> BlockTemplate.read(json, sites.of(type))).orElse(block);
        }
        blocks.put(name, block);
        return block;
    }

    /**
     * A constant of Layers initialised with a literal stands for a parameter; one initialised with an
     * expression ({@code int width = planes * 4;}) is derived from them.
     */
    private boolean isPlaceholder(VariableElement field) {
        if (trees == null || !(trees.getTree(field) instanceof com.sun.source.tree.VariableTree v) || v.getInitializer() == null) {
            return true;
        }
        return ExprReader.isLiteral(v.getInitializer());
    }

    /** The layer members of a network ({@code params} null) or of a block's Layers (its parameters' names). */
    private List<MemberDecl> members(TypeElement container, Set<String> params) {
        List<MemberDecl> members = new ArrayList<>();
        for (Element e : container.getEnclosedElements()) {
            if (e.getKind() != ElementKind.METHOD && e.getKind() != ElementKind.FIELD) {
                continue;
            }
            List<AnnotationUse> uses = new ArrayList<>();
            for (AnnotationMirror m : e.getAnnotationMirrors()) {
                TypeElement annotationType = (TypeElement) m.getAnnotationType().asElement();
                String type = annotationType.getQualifiedName().toString();
                if (mirror(annotationType, Dsl.BLOCK).isPresent()) {
                    block(annotationType);
                    uses.add(use(e, m, params == null ? null : container, params));
                } else if (Dsl.isDsl(type)) {
                    uses.add(use(e, m, params == null ? null : container, params));
                }
            }
            boolean isLayer = isLayerType(e);
            if (!uses.isEmpty() || isLayer) {
                members.add(new MemberDecl(e.getSimpleName().toString(), sites.of(e), uses));
            }
        }
        return members;
    }

    private boolean isLayerType(Element e) {
        TypeMirror type = e instanceof ExecutableElement x ? x.getReturnType() : e.asType();
        return type.getKind() == TypeKind.DECLARED
                && ((TypeElement) ((javax.lang.model.type.DeclaredType) type).asElement()).getQualifiedName().contentEquals(Dsl.LAYER);
    }

    /**
     * One annotation with every element's value. Inside a block ({@code layers} non-null) values are read
     * from source, so that expressions over placeholders stay expressions.
     */
    private AnnotationUse use(Element e, AnnotationMirror m, TypeElement layers, Set<String> params) {
        String type = ((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().toString();
        Map<String, Expr> args = new LinkedHashMap<>();
        Map<String, SourceRef> refs = new LinkedHashMap<>();
        Map<? extends ExecutableElement, ? extends AnnotationValue> explicit = m.getElementValues();
        Map<String, ExpressionTree> sources = layers == null ? Map.of() : sourceValues(e, m);
        TreePath annotationPath = layers == null || trees == null ? null : trees.getPath(e, m);
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry : elements.getElementValuesWithDefaults(m).entrySet()) {
            String name = entry.getKey().getSimpleName().toString();
            Expr value = Expr.of(constant(entry.getValue()));
            if (explicit.containsKey(entry.getKey())) {
                SourceRef ref = sites.of(e, m, entry.getValue());
                refs.put(name, ref);
                ExpressionTree source = sources.get(name);
                if (source != null && annotationPath != null) {
                    value = fromSource(source, annotationPath, layers, params, ref, value);
                }
            }
            args.put(name, value);
        }
        return new AnnotationUse(type, args, sites.of(e, m), refs);
    }

    private Expr fromSource(ExpressionTree source, TreePath annotationPath, TypeElement layers, Set<String> params, SourceRef ref,
            Expr folded) {
        try {
            return new ExprReader(trees, layers, params).read(source, annotationPath);
        } catch (ExprReader.Unsupported u) {
            problems.error("Expression", u.getMessage(), ref);
            return folded;
        }
    }

    /** The source expression of each explicit element of annotation {@code m} on {@code e}, by element name. */
    private Map<String, ExpressionTree> sourceValues(Element e, AnnotationMirror m) {
        if (trees == null || !(trees.getTree(e, m) instanceof AnnotationTree annotation)) {
            return Map.of();
        }
        Map<String, ExpressionTree> values = new HashMap<>();
        for (ExpressionTree arg : annotation.getArguments()) {
            if (arg instanceof AssignmentTree a && a.getVariable() instanceof IdentifierTree id) {
                values.put(id.getName().toString(), a.getExpression());
            } else {
                values.put("value", arg);
            }
        }
        return values;
    }

    /** An annotation value as the plain model holds it: boxed primitives, strings, enum constants, lists. */
    private static Object constant(AnnotationValue value) {
        Object v = value.getValue();
        if (v instanceof VariableElement enumConstant) {
            TypeElement type = (TypeElement) enumConstant.getEnclosingElement();
            return new Expr.EnumConstant(type.getQualifiedName().toString(), enumConstant.getSimpleName().toString());
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object o : list) {
                out.add(constant((AnnotationValue) o));
            }
            return List.copyOf(out);
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof TypeMirror t) {
            return t.toString(); // a class literal (@Derive's base), by its qualified name
        }
        if (v instanceof Character c) {
            return (int) c;
        }
        return v;
    }

    private static Optional<ParamType> paramType(TypeMirror type) {
        return Optional.ofNullable(switch (type.getKind()) {
            case INT, SHORT, BYTE, CHAR -> ParamType.INT;
            case LONG -> ParamType.LONG;
            case DOUBLE, FLOAT -> ParamType.DOUBLE;
            case BOOLEAN -> ParamType.BOOLEAN;
            case DECLARED -> type.toString().equals("java.lang.String") ? ParamType.STRING : null;
            default -> null;
        });
    }

    private static Optional<AnnotationMirror> mirror(Element e, String type) {
        for (AnnotationMirror m : e.getAnnotationMirrors()) {
            if (((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().contentEquals(type)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
