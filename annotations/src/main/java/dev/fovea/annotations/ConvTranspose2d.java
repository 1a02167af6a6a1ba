package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A transposed convolution ("deconvolution"): the gradient of a {@link Conv2d} with respect to its input.
 * Output size: {@code (in - 1)*stride - 2*padding + dilation*(kernel-1) + outputPadding + 1}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface ConvTranspose2d {
    int filters();

    int[] kernel();

    int[] stride() default 1;

    int[] padding() default 0;

    int[] outputPadding() default 0;

    int[] dilation() default 1;

    int groups() default 1;

    boolean bias() default true;

    /** State-dict prefix of this layer's parameters; empty: derived from the member (see docs/dsl.md). */
    String name() default "";
}
