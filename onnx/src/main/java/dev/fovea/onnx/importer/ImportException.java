package dev.fovea.onnx.importer;

/** A model that cannot be imported, said in one line that names the file and what is wrong with it. */
public final class ImportException extends RuntimeException {
    public ImportException(String message) {
        super(message);
    }
}
