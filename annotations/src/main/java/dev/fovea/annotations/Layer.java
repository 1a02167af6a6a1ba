package dev.fovea.annotations;

/**
 * The type of every layer member of a network or block. It marks the member; the annotations on the
 * member say what the layer is.
 */
public interface Layer {
    /** The name by which layers refer to the input of the network or of the enclosing block. */
    String INPUT = "input";
}
