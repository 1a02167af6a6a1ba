package dev.fovea.zoo.cli;

/** A mistake in what the user typed: one line for stderr, and exit code 2. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
