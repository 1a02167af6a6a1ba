package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fully connected layer ({@code Linear}) on a flat input. With {@code pointwise = true} it applies to the
 * channels at every position of a C x H x W input instead (ConvNeXt's {@code Linear} on channels-last
 * tensors): a 1x1 convolution with PyTorch's linear weight layout.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Dense {
    int units();

    boolean bias() default true;

    boolean pointwise() default false;

    /** State-dict prefix of this layer's parameters; empty: derived from the member (see docs/dsl.md). */
    String name() default "";
}
