package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * LeNet-5's output layer: one Euclidean radial basis unit per class, {@code y_i = sum_j (x_j - w_ij)^2},
 * the squared distance of a flat input to each class's learned prototype (smaller is likelier).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface EuclideanRbf {
    int units();

    /** State-dict prefix of its prototypes; empty: derived from the member. */
    String name() default "";
}
