package dev.fovea.processor.diag;

import dev.fovea.processor.model.SourceRef;
import java.util.List;

/**
 * One thing to tell the user: a stable tag ({@code ShapeMismatch}), the message, and the places to report
 * it at, narrowest first (inside a block, both the block's layer and the use site in the network).
 */
public record Problem(Severity severity, String tag, String message, List<SourceRef> refs) {
    public Problem {
        refs = List.copyOf(refs);
    }

    /** The text javac shows: {@code [Fovea/Tag] message}. */
    public String render() {
        return "[Fovea/" + tag + "] " + message;
    }
}
