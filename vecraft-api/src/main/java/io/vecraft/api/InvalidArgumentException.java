package io.vecraft.api;

/**
 * Bad input rejected at the edge, before anything is written. The message names the field,
 * what was expected (the limit) and what came.
 */
public class InvalidArgumentException extends VecraftException {
    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param field   the offending field, e.g. {@code "record.vector[3]"} or {@code "k"}
     * @param message what was expected and what came, e.g. {@code "must be finite, was NaN"}
     */
    public InvalidArgumentException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** @return the name of the offending field */
    public String field() {
        return field;
    }
}
