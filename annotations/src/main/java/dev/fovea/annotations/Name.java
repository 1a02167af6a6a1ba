package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The state-dict prefix of this member, in place of its Java name: {@code @Name("features.0")} lets a
 * model load PyTorch weights named {@code features.0.weight}. Dots nest; other members still refer to
 * the member by its Java name.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Name {
    String value();
}
