package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Max pooling. {@code stride} defaults to the kernel; windows may overlap (AlexNet's 3x3 stride 2). */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface MaxPool2d {
    int[] kernel();

    /** Empty: the kernel size. */
    int[] stride() default {};

    int[] padding() default 0;

    int[] dilation() default 1;

    /** Round the output size up rather than down (PyTorch's {@code ceil_mode}). */
    boolean ceilMode() default false;
}
