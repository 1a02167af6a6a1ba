package dev.fovea.runtime.fit;

import java.nio.file.Path;

/** What a {@link Trainer} reports as it goes; every method does nothing unless overridden. */
public interface TrainingListener {
    /** After each training step. */
    default void step(Progress progress) {
    }

    /** After each epoch, with its evaluation. */
    default void epoch(EpochResult result) {
    }

    /** After a checkpoint file is written. */
    default void checkpoint(Path file) {
    }
}
