package dev.fovea.runtime.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file whole or not at all: into a temporary file beside it, then moved into place. A failure
 * part-way leaves the old file (if any) as it was and no temporary behind.
 */
public final class AtomicFiles {
    /** Writes the content of a file, given its (temporary) path. */
    @FunctionalInterface
    public interface Writer {
        void write(Path temporary) throws IOException;
    }

    private AtomicFiles() {}

    public static void replace(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new IOException("cannot write " + target + ": directory " + dir + " does not exist");
        }
        if (Files.isDirectory(target)) {
            throw new IOException("cannot write " + target + ": it is a directory");
        }
        Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        boolean moved = false;
        try {
            writer.write(temp);
            keepPermissions(target, temp);
            try {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * A temporary file is private to its owner; the file it becomes keeps the permissions of the one it
     * replaces, or gets the usual rw-r--r--.
     */
    private static void keepPermissions(Path target, Path temp) throws IOException {
        if (!temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(temp, permissions);
    }

    public static void writeString(Path target, String text) throws IOException {
        replace(target, temp -> Files.writeString(temp, text));
    }
}
