package dev.fovea.runtime.data;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Reads a data file whole, gunzipping it when it starts with gzip's magic, with errors that name it. */
final class DataFiles {
    private DataFiles() {}

    static byte[] readMaybeGzipped(Path file) {
        byte[] raw = read(file);
        if (raw.length < 2 || (raw[0] & 0xff) != 0x1f || (raw[1] & 0xff) != 0x8b) {
            return raw;
        }
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw), 1 << 16)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length * 4);
            in.transferTo(out);
            return out.toByteArray();
        } catch (EOFException e) {
            throw new DataException(file + ": the gzip stream is truncated");
        } catch (ZipException e) {
            throw new DataException(file + ": not a valid gzip file (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new DataException(file + ": cannot decompress: " + e.getMessage());
        }
    }

    static byte[] read(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new DataException(file + ": is a directory, not a data file");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new DataException(file + ": permission denied");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new DataException(file + ": too large to hold in the Java heap (" + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)");
        }
    }

    /** The first of {@code names} that exists in {@code dir}, or an error listing what was looked for. */
    static Path find(Path dir, String what, String... names) {
        for (String n : names) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new DataException(dir + ": no " + what + " file (looked for " + String.join(", ", names) + ")");
    }
}
