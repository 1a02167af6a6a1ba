package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Zero padding as a layer of its own, side by side (PyTorch's {@code ZeroPad2d}, Keras'
 * {@code ZeroPadding2D}); asymmetric where the sides differ, as NASNet's reductions pad one side only.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface ZeroPad {
    int top() default 0;

    int left() default 0;

    int bottom() default 0;

    int right() default 0;
}
