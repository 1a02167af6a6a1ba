package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One of {@code parts} equal groups of channels, {@code part} counted from 0: PyTorch's
 * {@code x.chunk(parts, dim=1)[part]} (ShuffleNet v2 splits a unit's input in two halves).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface ChannelSplit {
    int part();

    int parts() default 2;
}
