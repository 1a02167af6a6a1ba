package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A 2-D convolution (cross-correlation, as in every framework).
 *
 * <p>{@code kernel}, {@code stride}, {@code padding} and {@code dilation} take one value (square) or two
 * (height, width). {@code padding} also takes {@link Padding#SAME} or {@link Padding#VALID}.
 * Output size: {@code floor((in + 2*padding - dilation*(kernel-1) - 1) / stride) + 1}.
 *
 * <p>{@code connections} gives a partial connection table (LeNet-5's C3): one string per input
 * channel, one character per output channel, {@code X} where they connect and {@code .} elsewhere.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Conv2d {
    /** Output channels. Give this or {@link #widthFactor()}. */
    int filters() default 0;

    /**
     * Output channels as a multiple of the input channels, rounded down: 6 for MobileNet v2's expansion,
     * 0.5 for DenseNet's transitions. Give this or {@link #filters()}.
     */
    double widthFactor() default 0;

    int[] kernel();

    int[] stride() default 1;

    int[] padding() default 0;

    int[] dilation() default 1;

    /** Input and output channels split into this many groups; it must divide both. */
    int groups() default 1;

    boolean bias() default true;

    /** Partial connection table, one row per input channel; empty: every input reaches every output. */
    String[] connections() default {};

    /** State-dict prefix of this layer's parameters; empty: derived from the member (see docs/dsl.md). */
    String name() default "";
}
