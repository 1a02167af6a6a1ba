package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A fully connected layer ({@code Linear}) on a flat input. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Dense {
    int units();

    boolean bias() default true;

    /** State-dict prefix of this layer's parameters; empty: derived from the member (see docs/dsl.md). */
    String name() default "";
}
