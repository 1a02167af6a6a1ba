package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Interleaves the channels of {@code value} groups (ShuffleNet): channel j of the output is channel
 * (j mod g) * C/g + j / g of the input, as PyTorch's view(g, C/g), transpose, flatten.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface ChannelShuffle {
    int value();
}
