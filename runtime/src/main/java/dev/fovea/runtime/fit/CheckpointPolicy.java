package dev.fovea.runtime.fit;

import dev.fovea.runtime.weights.WeightsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Where and how often a {@link Trainer} writes checkpoints: into {@code directory}, every
 * {@code everySteps} optimiser steps (0: only at the end of each epoch) and at every epoch's end,
 * keeping the newest {@code keep}. Files are named by step, so the newest sorts last.
 */
public record CheckpointPolicy(Path directory, long everySteps, int keep) {
    private static final String PREFIX = "checkpoint-";
    private static final String SUFFIX = ".safetensors";

    public CheckpointPolicy {
        if (everySteps < 0) {
            throw new IllegalArgumentException("checkpoints every " + everySteps + " steps: give 0 (each epoch) or more");
        }
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint, not " + keep);
        }
    }

    Path file(long step) {
        return directory.resolve(String.format(Locale.ROOT, "%s%010d%s", PREFIX, step, SUFFIX));
    }

    /** The checkpoints in the directory, oldest first. */
    public List<Path> existing() {
        return list(directory);
    }

    /** The newest checkpoint in {@code directory}, or null when there is none. */
    public static Path newest(Path directory) {
        List<Path> all = list(directory);
        return all.isEmpty() ? null : all.getLast();
    }

    private static List<Path> list(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deletes all but the newest {@code keep}, and the temporary files of writes that a crash
     * interrupted (a checkpoint appears whole or not at all, so those are never needed).
     */
    void prune() {
        List<Path> all = existing();
        try {
            for (int i = 0; i < all.size() - keep; i++) {
                Files.deleteIfExists(all.get(i));
            }
            try (Stream<Path> files = Files.list(directory)) {
                for (Path p : files.filter(p -> p.getFileName().toString().startsWith("." + PREFIX)
                        && p.getFileName().toString().endsWith(".tmp")).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new WeightsException(directory + ": cannot remove old checkpoints: " + e.getMessage(), e);
        }
    }

    void createDirectory() {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new WeightsException(directory + ": cannot create the checkpoint directory: " + e.getMessage(), e);
        }
    }
}
