package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Feeds this member from an earlier layer instead of the one just above it: the way to start a parallel
 * branch. {@link Layer#INPUT} names the input of the network or of the enclosing block. A use of a block
 * with two inputs names both, {@code @From({"cell3", "cell2"})}: inside the block the second is
 * {@link Layer#SECOND_INPUT} (a NASNet cell reads the two cells before it).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface From {
    String[] value();
}
