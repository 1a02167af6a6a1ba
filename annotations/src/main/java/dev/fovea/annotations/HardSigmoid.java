package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** relu6(x + 3) / 6, a piecewise-linear sigmoid (MobileNet v3's squeeze-excitation gates): PyTorch's {@code Hardsigmoid}. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface HardSigmoid {
}
