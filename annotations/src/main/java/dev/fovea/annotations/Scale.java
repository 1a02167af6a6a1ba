package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Channel scaling (squeeze-and-excitation): multiplies each channel of layer {@code from} by the
 * flowing tensor, which holds one gate per channel (C x 1 x 1 or C).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Scale {
    String from() default Layer.INPUT;
}
