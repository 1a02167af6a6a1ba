package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Batch normalisation per channel (2-D input: per feature). Learns gamma and beta; keeps running mean
 * and variance as buffers, which are not counted as parameters (as in PyTorch).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface BatchNorm {
    double eps() default 1e-5;

    double momentum() default 0.1;

    /**
     * Whether it learns a scale (gamma). Without one it learns only its shift, as Keras' {@code
     * BatchNormalization(scale=False)} before a ReLU: the layer after can do the scaling.
     */
    boolean scale() default true;

    /** State-dict prefix of this layer's parameters; empty: derived from the member (see docs/dsl.md). */
    String name() default "";
}
