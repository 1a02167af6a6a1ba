package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * LeNet-5's trainable subsampling: per channel, the sum of each window times a learned coefficient,
 * plus a learned bias. Two parameters per channel.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Subsample {
    int[] kernel() default 2;

    /** Empty: the kernel size. */
    int[] stride() default {};

    /** State-dict prefix of this layer's parameters; empty: derived from the member (see docs/dsl.md). */
    String name() default "";
}
