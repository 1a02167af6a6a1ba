package dev.fovea.processor;

import dev.fovea.processor.expand.Dsl;
import dev.fovea.processor.model.AnnotationUse;
import dev.fovea.processor.model.Expr;
import dev.fovea.processor.model.MemberDecl;
import dev.fovea.processor.model.NetworkDecl;
import dev.fovea.processor.model.SourceRef;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds plain declarations by hand, as the parser would, for tests that run without javac. */
public final class Decls {
    private static final AtomicInteger REFS = new AtomicInteger();

    private Decls() {}

    public static NetworkDecl network(String name, int[] input, MemberDecl... members) {
        List<Object> dims = Arrays.stream(input).boxed().map(Object.class::cast).toList();
        AnnotationUse network = use("Network", "input", dims);
        return new NetworkDecl("test", "test." + name, network, Optional.empty(), List.of(members), ref());
    }

    public static MemberDecl member(String name, AnnotationUse... uses) {
        return new MemberDecl(name, ref(), List.of(uses));
    }

    /** A DSL annotation with explicit values ({@code key, value, key, value...}); ints become arrays where the DSL has them. */
    public static AnnotationUse use(String simpleName, Object... keyValues) {
        Map<String, Expr> args = new HashMap<>();
        Map<String, SourceRef> refs = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            String key = (String) keyValues[i];
            Object v = keyValues[i + 1];
            args.put(key, v instanceof Expr e ? e : Expr.of(v));
            refs.put(key, ref());
        }
        defaults(simpleName).forEach(args::putIfAbsent);
        return new AnnotationUse(Dsl.PACKAGE + "." + simpleName, args, ref(), refs);
    }

    /** The defaults javac would fill in, for the elements the tests leave out. */
    private static Map<String, Expr> defaults(String simpleName) {
        Map<String, Expr> d = new HashMap<>();
        switch (simpleName) {
            case "Conv2d", "DepthwiseConv2d", "ConvTranspose2d" -> {
                d.put("stride", Expr.of(List.of(1)));
                d.put("padding", Expr.of(List.of(0)));
                d.put("dilation", Expr.of(List.of(1)));
                d.put("groups", Expr.of(1));
                d.put("multiplier", Expr.of(1));
                d.put("widthFactor", Expr.of(0.0));
                d.put("filters", Expr.of(0));
                d.put("bias", Expr.of(true));
                d.put("name", Expr.of(""));
                d.put("connections", Expr.of(List.of()));
                d.put("outputPadding", Expr.of(List.of(0)));
            }
            case "MaxPool2d", "AvgPool2d" -> {
                d.put("stride", Expr.of(List.of()));
                d.put("padding", Expr.of(List.of(0)));
                d.put("dilation", Expr.of(List.of(1)));
                d.put("ceilMode", Expr.of(false));
                d.put("countIncludePad", Expr.of(true));
            }
            case "Dense" -> {
                d.put("bias", Expr.of(true));
                d.put("pointwise", Expr.of(false));
                d.put("name", Expr.of(""));
            }
            case "BatchNorm" -> {
                d.put("eps", Expr.of(1e-5));
                d.put("momentum", Expr.of(0.1));
                d.put("scale", Expr.of(true));
                d.put("name", Expr.of(""));
            }
            case "Add" -> {
                d.put("from", Expr.of("input"));
                d.put("shortcut", Expr.of(new Expr.EnumConstant("dev.fovea.annotations.Shortcut", "IDENTITY")));
                d.put("projectionName", Expr.of("downsample"));
            }
            default -> { }
        }
        return d;
    }

    public static SourceRef ref() {
        return new SourceRef(REFS.incrementAndGet());
    }
}
