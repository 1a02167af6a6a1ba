package dev.fovea.runtime.fit;

/** Training diverged: a loss or a value became NaN or infinite. The message says where first and when. */
public final class NonFiniteException extends RuntimeException {
    public NonFiniteException(String message) {
        super(message);
    }
}
