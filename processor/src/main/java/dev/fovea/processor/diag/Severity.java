package dev.fovea.processor.diag;

public enum Severity {
    ERROR, WARNING, NOTE
}
