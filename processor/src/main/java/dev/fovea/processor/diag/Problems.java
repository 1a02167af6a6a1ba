package dev.fovea.processor.diag;

import dev.fovea.processor.model.SourceRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects every problem of a compile, so that all are reported, not just the first. */
public final class Problems {
    private final Set<Problem> problems = new LinkedHashSet<>();

    public void error(String tag, String message, SourceRef... refs) {
        add(new Problem(Severity.ERROR, tag, message, List.of(refs)));
    }

    public void error(String tag, String message, List<SourceRef> refs) {
        add(new Problem(Severity.ERROR, tag, message, refs));
    }

    public void warning(String tag, String message, List<SourceRef> refs) {
        add(new Problem(Severity.WARNING, tag, message, refs));
    }

    public void add(Problem problem) {
        problems.add(problem);
    }

    public boolean hasErrors() {
        return problems.stream().anyMatch(p -> p.severity() == Severity.ERROR);
    }

    public int errorCount() {
        return (int) problems.stream().filter(p -> p.severity() == Severity.ERROR).count();
    }

    public List<Problem> all() {
        return Collections.unmodifiableList(new ArrayList<>(problems));
    }
}
