package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Multiplies each channel by a learned factor (ConvNeXt's layer scale), initialised to {@code init}. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface LayerScale {
    double init() default 1e-6;

    /** State-dict prefix of this layer's parameters; empty: derived from the member (see docs/dsl.md). */
    String name() default "";
}
