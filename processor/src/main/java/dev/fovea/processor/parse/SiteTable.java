package dev.fovea.processor.parse;

import dev.fovea.processor.model.SourceRef;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/** What each {@link SourceRef} points at, so that a diagnostic lands on the narrowest element javac knows. */
public final class SiteTable {
    private record Site(Element element, AnnotationMirror mirror, AnnotationValue value) {}

    private final List<Site> sites = new ArrayList<>();

    public SourceRef of(Element element) {
        return add(new Site(element, null, null));
    }

    public SourceRef of(Element element, AnnotationMirror mirror) {
        return add(new Site(element, mirror, null));
    }

    public SourceRef of(Element element, AnnotationMirror mirror, AnnotationValue value) {
        return add(new Site(element, mirror, value));
    }

    private SourceRef add(Site site) {
        sites.add(site);
        return new SourceRef(sites.size() - 1);
    }

    /**
     * Whether the element at {@code ref}, or one enclosing it, carries {@code @SuppressWarnings} with
     * {@code "Fovea/<tag>"} or {@code "Fovea"}.
     */
    public boolean suppresses(SourceRef ref, String tag) {
        if (ref.isNone() || ref.id() >= sites.size()) {
            return false;
        }
        for (Element e = sites.get(ref.id()).element(); e != null; e = e.getEnclosingElement()) {
            SuppressWarnings s = e.getAnnotation(SuppressWarnings.class);
            if (s != null && java.util.Arrays.stream(s.value()).anyMatch(v -> v.equals("Fovea/" + tag) || v.equals("Fovea"))) {
                return true;
            }
        }
        return false;
    }

    /** Prints {@code message} at {@code ref}; false when the ref has no place (then the caller picks one). */
    public boolean print(Messager messager, Diagnostic.Kind kind, String message, SourceRef ref) {
        if (ref.isNone() || ref.id() >= sites.size()) {
            return false;
        }
        Site s = sites.get(ref.id());
        if (s.value() != null) {
            messager.printMessage(kind, message, s.element(), s.mirror(), s.value());
        } else if (s.mirror() != null) {
            messager.printMessage(kind, message, s.element(), s.mirror());
        } else {
            messager.printMessage(kind, message, s.element());
        }
        return true;
    }
}
