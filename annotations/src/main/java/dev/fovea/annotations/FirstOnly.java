package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a block parameter: under {@link Repeat}, the argument applies to the first repetition only and the
 * rest take the parameter's default. A ResNet stage's stride is the example: {@code stride = 2} opens
 * the stage, the later blocks keep stride 1.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface FirstOnly {}
