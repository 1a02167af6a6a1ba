package dev.fovea.runtime.train;

import dev.fovea.runtime.Shape;

/**
 * An activation of a training session: a batch of values and, when some trainable layer lies before
 * it, the gradient of the loss with respect to them. Flatten and identity layers share their input's
 * arrays under another shape; an activation run in place shares its input's values; gradients share
 * arrays with others whose live ranges do not meet, so a gradient array may be longer than the values.
 */
final class Tensor {
    final String name;
    final Shape shape;
    final float[] value;
    final float[] grad;

    Tensor(String name, Shape shape, float[] value, float[] grad) {
        this.name = name;
        this.shape = shape;
        this.value = value;
        this.grad = grad;
    }

    /** The same arrays under another name and shape. */
    Tensor alias(String name, Shape shape) {
        return new Tensor(name, shape, value, grad);
    }

    boolean hasGradient() {
        return grad != null;
    }

    int size() {
        return value.length;
    }
}
