package dev.fovea.processor.model;

/**
 * An opaque handle on a place in the user's source (a member, an annotation, or one annotation value).
 * The parser hands them out and keeps what they point at; everything past the parser sees only handles,
 * so it can be unit-tested without javac.
 */
public record SourceRef(int id) {
    /** For synthesised things that have no source of their own. */
    public static final SourceRef NONE = new SourceRef(-1);

    public boolean isNone() {
        return id < 0;
    }
}
