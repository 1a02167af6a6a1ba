package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** AlexNet's local response normalisation across {@code size} neighbouring channels. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface LocalResponseNorm {
    int size() default 5;

    double alpha() default 1e-4;

    double beta() default 0.75;

    double k() default 2.0;
}
