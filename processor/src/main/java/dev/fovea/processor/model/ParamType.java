package dev.fovea.processor.model;

/** The types a block parameter may have. */
public enum ParamType {
    INT, LONG, DOUBLE, BOOLEAN, STRING;

    /** Whether {@code value} (as the evaluator produces it) can be bound to a parameter of this type. */
    public boolean accepts(Object value) {
        return switch (this) {
            case INT -> value instanceof Integer;
            case LONG -> value instanceof Integer || value instanceof Long;
            case DOUBLE -> value instanceof Number;
            case BOOLEAN -> value instanceof Boolean;
            case STRING -> value instanceof String;
        };
    }

    public String javaName() {
        return this == STRING ? "String" : name().toLowerCase(java.util.Locale.ROOT);
    }
}
