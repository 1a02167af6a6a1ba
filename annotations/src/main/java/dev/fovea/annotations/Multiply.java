package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Multiplies the tensor by a constant: Inception-ResNet scales each residual branch by 0.17, 0.1 or 0.2
 * before the addition. No parameters (unlike {@link LayerScale}, which learns its factors).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Multiply {
    double value();
}
