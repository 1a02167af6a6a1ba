package dev.fovea.annotations;

/** What {@link Add} does when the two tensors it adds differ in shape. */
public enum Shortcut {
    /** Nothing: differing shapes are a compile error. */
    IDENTITY,
    /**
     * Projects the shortcut with a 1x1 convolution (no bias, stride as needed) and batch norm, as ResNet
     * does when a stage changes width or resolution; identity when the shapes already agree.
     */
    PROJECTION,
    /** Skips the addition when the shapes differ (MobileNet v2's inverted residual). */
    WHEN_SHAPES_MATCH
}
