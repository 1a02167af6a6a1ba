package dev.fovea.annotations;

/**
 * The type of every layer member of a network or block. It marks the member; the annotations on the
 * member say what the layer is.
 */
public interface Layer {
    /** The name by which layers refer to the input of the network or of the enclosing block. */
    String INPUT = "input";

    /**
     * The name by which a block's layers refer to its second input, given at its use with
     * {@code @From({"first", "second"})}; a repeated use passes each repetition the input of the one before.
     */
    String SECOND_INPUT = "input2";
}
