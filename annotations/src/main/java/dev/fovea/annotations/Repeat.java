package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Repeats this member {@code value} times in sequence. Repetition {@code i} is named
 * {@code <member>.<label>}, where the label is {@code String.format(label, firstIndex + i)}:
 * {@code layer1.0}, {@code layer1.1}, ... by default, {@code denseblock1.denselayer1} with
 * {@code label = "denselayer%d", firstIndex = 1}. Block parameters marked {@link FirstOnly} keep their
 * argument in the first repetition only.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Repeat {
    int value();

    String label() default "%d";

    int firstIndex() default 0;
}
