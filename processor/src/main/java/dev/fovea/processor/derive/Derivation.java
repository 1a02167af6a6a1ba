package dev.fovea.processor.derive;

import dev.fovea.processor.diag.Problems;
import dev.fovea.processor.expand.Dsl;
import dev.fovea.processor.model.AnnotationUse;
import dev.fovea.processor.model.DerivedDecl;
import dev.fovea.processor.model.Expr;
import dev.fovea.processor.model.Lineage;
import dev.fovea.processor.model.Lineage.Origin;
import dev.fovea.processor.model.MemberDecl;
import dev.fovea.processor.model.NetworkDecl;
import dev.fovea.processor.model.NetworkSource;
import dev.fovea.processor.model.SourceRef;
import dev.fovea.runtime.text.Suggestions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies a {@code @Derive}: the base's members up to {@code keepUpTo}, each replaced in place by the
 * derived network's member of the same name, then the derived network's other members; the inherited
 * members named by {@code freezeUpTo} and {@code freeze} marked {@code @Frozen}. Names that match no
 * member, or a member the derivation drops or replaces, are errors on the value that names them.
 */
public final class Derivation {
    private final Problems problems;

    private Derivation(Problems problems) {
        this.problems = problems;
    }

    /** The derived network as a plain declaration, or empty after reporting why it has none. */
    public static Optional<NetworkDecl> apply(DerivedDecl derived, Problems problems) {
        return new Derivation(problems).derive(derived);
    }

    private Optional<NetworkDecl> derive(DerivedDecl derived) {
        Optional<NetworkDecl> resolved = switch (derived.base()) {
            case NetworkDecl n -> Optional.of(n);
            case DerivedDecl d -> derive(d);
        };
        if (resolved.isEmpty()) {
            return Optional.empty();
        }
        NetworkDecl base = resolved.get();
        String baseName = base.simpleName();
        List<String> baseNames = base.members().stream().map(MemberDecl::name).toList();

        int kept = baseNames.size();
        String keepUpTo = string(derived.derive(), "keepUpTo");
        if (!keepUpTo.isEmpty()) {
            int at = baseNames.indexOf(keepUpTo);
            if (at < 0) {
                unknown(derived, "keepUpTo", keepUpTo, baseName, baseNames);
                return Optional.empty();
            }
            kept = at + 1;
        }
        Map<String, Origin> origins = new LinkedHashMap<>();
        List<MemberDecl> members = new ArrayList<>(base.members().subList(0, kept));
        members.forEach(m -> origins.put(m.name(), Origin.INHERITED));
        for (MemberDecl own : derived.members()) {
            int at = members.stream().map(MemberDecl::name).toList().indexOf(own.name());
            if (at >= 0 && origins.get(own.name()) == Origin.INHERITED) {
                members.set(at, own);
                origins.put(own.name(), Origin.REPLACED);
            } else {
                members.add(own);
                origins.put(own.name(), Origin.ADDED);
            }
        }

        List<String> frozen = new ArrayList<>();
        String freezeUpTo = string(derived.derive(), "freezeUpTo");
        if (!freezeUpTo.isEmpty() && freezable(derived, "freezeUpTo", freezeUpTo, baseName, baseNames, kept, origins)) {
            for (MemberDecl m : members.subList(0, baseNames.indexOf(freezeUpTo) + 1)) {
                if (origins.get(m.name()) == Origin.INHERITED) {
                    frozen.add(m.name());
                }
            }
        }
        for (String name : strings(derived.derive(), "freeze")) {
            if (freezable(derived, "freeze", name, baseName, baseNames, kept, origins)) {
                frozen.add(name);
            }
        }
        members.replaceAll(m -> frozen.contains(m.name()) ? frozen(m) : m);

        AnnotationUse network = base.network();
        if (derived.derive().args().get("input") instanceof Expr.Literal l && l.value() instanceof List<?> dims && !dims.isEmpty()) {
            network = new AnnotationUse(Dsl.NETWORK, Map.of("input", l), derived.derive().refOf("input"),
                    Map.of("input", derived.derive().refOf("input")));
        }
        return Optional.of(new NetworkDecl(derived.packageName(), derived.qualifiedName(), network, derived.expect(), members, derived.ref(),
                Optional.of(new Lineage(base.qualifiedName(), origins, derived.derive().ref()))));
    }

    /** Whether {@code name} is an inherited member this derivation keeps, reporting on {@code element} why not. */
    private boolean freezable(DerivedDecl derived, String element, String name, String baseName, List<String> baseNames, int kept,
            Map<String, Origin> origins) {
        int at = baseNames.indexOf(name);
        SourceRef ref = derived.derive().refOf(element);
        if (at < 0) {
            unknown(derived, element, name, baseName, baseNames);
            return false;
        }
        if (at >= kept) {
            problems.error("BadArgument", derived.simpleName() + ": @Derive " + element + " names " + name + ", which keepUpTo = \""
                    + string(derived.derive(), "keepUpTo") + "\" drops", ref);
            return false;
        }
        if (origins.get(name) == Origin.REPLACED) {
            problems.error("BadArgument", derived.simpleName() + ": @Derive " + element + " names " + name + ", which " + derived.simpleName()
                    + " replaces with a new layer; new layers train (put @Frozen on the member to freeze it anyway)", ref);
            return false;
        }
        return true;
    }

    private void unknown(DerivedDecl derived, String element, String name, String baseName, List<String> baseNames) {
        String hint = Suggestions.closest(name, baseNames).map(s -> "; did you mean \"" + s + "\"?").orElse("");
        problems.error("UnknownLayer", derived.simpleName() + ": @Derive " + element + " names \"" + name + "\", but " + baseName
                + " has no member of that name" + hint, derived.derive().refOf(element));
    }

    private static MemberDecl frozen(MemberDecl m) {
        if (m.annotations().stream().anyMatch(a -> a.type().equals(Dsl.FROZEN))) {
            return m;
        }
        List<AnnotationUse> annotations = new ArrayList<>(m.annotations());
        annotations.add(new AnnotationUse(Dsl.FROZEN, Map.of(), m.ref(), Map.of()));
        return new MemberDecl(m.name(), m.ref(), annotations);
    }

    private static String string(AnnotationUse use, String element) {
        return use.args().get(element) instanceof Expr.Literal l && l.value() instanceof String s ? s : "";
    }

    private static List<String> strings(AnnotationUse use, String element) {
        List<String> out = new ArrayList<>();
        if (use.args().get(element) instanceof Expr.Literal l && l.value() instanceof List<?> list) {
            list.forEach(v -> out.add(String.valueOf(v)));
        }
        return out;
    }
}
