package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class or interface as a network derived from another (transfer learning): it inherits the
 * base's members, in order and under the base's parameter names, so that the base's weights load into
 * it by name. Its own members replace the base member of the same name, in place, or are appended after
 * the inherited ones. The processor generates {@code <Name>Model} as for a {@link Network}.
 *
 * <pre>{@code
 * @Derive(base = ResNet18.class, freezeUpTo = "layer4")
 * public interface ResNet18Flowers {
 *     @Dense(units = 5) Layer fc();     // a 5-way head in place of the 1000-way one
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Derive {
    /** The network derived from: a {@code @Network} or another {@code @Derive}, from this project or a jar. */
    Class<?> base();

    /** Keeps the base's members up to this one (inclusive) and drops the rest; empty keeps them all. */
    String keepUpTo() default "";

    /** Freezes every inherited member up to this one (inclusive): the stage-wise way to fine-tune. */
    String freezeUpTo() default "";

    /** Freezes these inherited members (layer chains or whole block uses). */
    String[] freeze() default {};

    /** The input of one sample, when it differs from the base's; empty keeps the base's. */
    int[] input() default {};
}
