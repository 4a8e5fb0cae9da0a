package io.vecraft.api;

/**
 * Data on disk failed a check (magic, version, length, CRC32C). The message names the file or
 * journal partition and the position (byte offset or sequence) where the check failed. Vecraft
 * never returns data that failed a check.
 */
public class CorruptedDataException extends VecraftException {
    private static final long serialVersionUID = 1L;

    private final String location;
    private final long position;

    /**
     * @param location the file path or journal partition name
     * @param position the byte offset or sequence number; -1 when unknown
     * @param message  what was expected and what was found
     */
    public CorruptedDataException(String location, long position, String message) {
        super("corrupted data in " + location + (position >= 0 ? " at " + position : "") + ": " + message);
        this.location = location;
        this.position = position;
    }

    /**
     * @param location the file path or journal partition name
     * @param position the byte offset or sequence number; -1 when unknown
     * @param message  what was expected and what was found
     * @param cause    the underlying failure
     */
    public CorruptedDataException(String location, long position, String message, Throwable cause) {
        super("corrupted data in " + location + (position >= 0 ? " at " + position : "") + ": " + message, cause);
        this.location = location;
        this.position = position;
    }

    /** @return the file path or journal partition name */
    public String location() {
        return location;
    }

    /** @return the byte offset or sequence number, -1 when unknown */
    public long position() {
        return position;
    }
}
