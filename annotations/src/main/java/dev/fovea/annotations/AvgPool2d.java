package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Average pooling. {@code stride} defaults to the kernel. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface AvgPool2d {
    int[] kernel();

    /** Empty: the kernel size. */
    int[] stride() default {};

    int[] padding() default 0;

    boolean ceilMode() default false;

    /** Whether zero padding counts in the divisor (PyTorch's {@code count_include_pad}). */
    boolean countIncludePad() default true;
}
