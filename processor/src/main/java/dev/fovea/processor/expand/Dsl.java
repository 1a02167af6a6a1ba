package dev.fovea.processor.expand;

import java.util.Set;

/** The qualified names of the DSL's annotations, as the parser records them. */
public final class Dsl {
    public static final String PACKAGE = "dev.fovea.annotations";

    public static final String NETWORK = PACKAGE + ".Network";
    public static final String DERIVE = PACKAGE + ".Derive";
    public static final String EXPECT = PACKAGE + ".Expect";
    public static final String BLOCK = PACKAGE + ".Block";
    public static final String FIRST_ONLY = PACKAGE + ".FirstOnly";
    public static final String FROM = PACKAGE + ".From";
    public static final String REPEAT = PACKAGE + ".Repeat";
    public static final String NAME = PACKAGE + ".Name";
    public static final String TAP = PACKAGE + ".Tap";
    public static final String FROZEN = PACKAGE + ".Frozen";
    public static final String LAYER = PACKAGE + ".Layer";

    /** Annotations that say where a member sits, not what it computes. */
    public static final Set<String> STRUCTURAL = Set.of(FROM, REPEAT, NAME, TAP, FROZEN);

    private Dsl() {}

    public static boolean isDsl(String qualifiedName) {
        return qualifiedName.startsWith(PACKAGE + ".");
    }
}
