package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Published figures the network must reproduce; the build fails where a computed figure differs.
 * A negative value is not checked.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Expect {
    /** Learnable parameters (weights and biases; not batch norm's running statistics). */
    long params() default -1;

    /** Multiply-accumulates of one sample through the convolutions and dense layers. */
    long macs() default -1;

    /** Output shape of one sample. */
    int[] output() default {};
}
