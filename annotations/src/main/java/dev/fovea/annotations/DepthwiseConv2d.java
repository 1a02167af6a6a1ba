package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A depthwise convolution: one filter (or {@code multiplier} filters) per input channel, that is a
 * {@link Conv2d} with {@code groups} equal to the input channels. Saves spelling out the channel count,
 * which a width multiplier makes awkward.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface DepthwiseConv2d {
    int[] kernel();

    int[] stride() default 1;

    int[] padding() default 0;

    int[] dilation() default 1;

    /** Output channels per input channel. */
    int multiplier() default 1;

    boolean bias() default true;

    /** State-dict prefix of this layer's parameters; empty: derived from the member (see docs/dsl.md). */
    String name() default "";
}
