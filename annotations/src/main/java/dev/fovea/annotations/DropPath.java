package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Stochastic depth (drop path): while training, drops the whole tensor of a sample with probability
 * {@code rate} and scales the samples it keeps by 1 / (1 - rate); the identity in inference. Put before
 * a residual addition, it drops the branch and keeps the shortcut (EfficientNet, ConvNeXt; torchvision's
 * {@code StochasticDepth(p, "row")}).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface DropPath {
    double value();
}
