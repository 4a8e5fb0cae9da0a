package io.vecraft.api;

/** An I/O operation failed (read, write, fsync). The message names the file and position. */
public class VecraftIOException extends VecraftException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was done, on which file and where
     * @param cause   the underlying {@link java.io.IOException} or error
     */
    public VecraftIOException(String message, Throwable cause) {
        super(message, cause);
    }
}
