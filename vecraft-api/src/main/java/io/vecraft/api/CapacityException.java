package io.vecraft.api;

/**
 * A limit was reached: back-pressure (a queue is full), the disk is full, or a configured
 * capacity is exhausted. Retrying later may succeed; the message says which limit.
 */
public class CapacityException extends VecraftException {
    private static final long serialVersionUID = 1L;

    /** @param message which limit was reached and its value */
    public CapacityException(String message) {
        super(message);
    }

    /**
     * @param message which limit was reached and its value
     * @param cause   the underlying failure
     */
    public CapacityException(String message, Throwable cause) {
        super(message, cause);
    }
}
