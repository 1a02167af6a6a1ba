package dev.fovea.runtime.weights;

/** A weights or tensor file that cannot be used, with a message that names the file and the tensor. */
public final class WeightsException extends RuntimeException {
    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
