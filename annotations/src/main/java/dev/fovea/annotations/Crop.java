package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Drops rows and columns at the sides (Keras' {@code Cropping2D}): NASNet's factorised reduction pads one
 * side and drops the first row and column to shift its second path by one pixel.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Crop {
    int top() default 0;

    int left() default 0;

    int bottom() default 0;

    int right() default 0;
}
