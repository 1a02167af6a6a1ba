package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Average pooling to a fixed output size, whatever the input size (PyTorch's bins). */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface AdaptiveAvgPool2d {
    /** Output height and width; one value for a square output. */
    int[] output();
}
