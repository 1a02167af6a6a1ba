package dev.fovea.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an annotation type as a reusable block. The annotation's elements are the block's parameters
 * (with defaults where they are optional); a nested interface {@code Layers} declares its layers, and
 * one constant per parameter, of the same name and type, that the layers' annotation values use. The
 * processor rebinds those constants to each use's arguments. See docs/dsl.md.
 *
 * <pre>{@code
 * @Block
 * public @interface Basic {
 *     int width();
 *     @FirstOnly int stride() default 1;
 *
 *     interface Layers {
 *         int width = 64, stride = 1;
 *         @Conv2d(filters = width, kernel = 3, stride = stride, padding = 1, bias = false) @BatchNorm(name = "bn1") @ReLU Layer conv1();
 *         @Conv2d(filters = width, kernel = 3, padding = 1, bias = false) @BatchNorm(name = "bn2") Layer conv2();
 *         @Add(shortcut = Shortcut.PROJECTION) @ReLU Layer out();
 *     }
 * }
 * // use:  @Basic(width = 128, stride = 2) @Repeat(2) Layer layer2();
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.ANNOTATION_TYPE)
public @interface Block {}
