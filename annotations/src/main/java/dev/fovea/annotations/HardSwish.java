package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** x * relu6(x + 3) / 6 (MobileNet v3, EfficientNet-lite): PyTorch's {@code Hardswish}. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface HardSwish {
}
