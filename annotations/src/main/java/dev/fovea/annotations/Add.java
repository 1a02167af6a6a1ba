package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Residual addition: the flowing tensor plus the output of layer {@code from} (by default the input of the
 * enclosing block). Stack an activation after it: {@code @Add @ReLU Layer out();}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Add {
    String from() default Layer.INPUT;

    Shortcut shortcut() default Shortcut.IDENTITY;

    /** State-dict prefix of the projection; its convolution is {@code <name>.0}, its norm {@code <name>.1}. */
    String projectionName() default "downsample";
}
