package io.vecraft.api;

/**
 * Root of every exception Vecraft throws. Unchecked: callers catch the subclasses they can act on.
 *
 * <ul>
 *   <li>{@link VecraftClosedException}: the database, collection or component was closed.</li>
 *   <li>{@link InvalidArgumentException}: bad input; names the field and the limit.</li>
 *   <li>{@link NotFoundException}: an unknown collection, record or partition.</li>
 *   <li>{@link AlreadyExistsException}: a name that is already taken.</li>
 *   <li>{@link CorruptedDataException}: data on disk failed a check; names file or partition and position.</li>
 *   <li>{@link CapacityException}: back-pressure, a full disk or a configured limit reached.</li>
 *   <li>{@link VecraftTimeoutException}: a bounded wait ran out.</li>
 *   <li>{@link VecraftIOException}: an I/O operation failed; names the file.</li>
 * </ul>
 */
public class VecraftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened, what was expected and what came */
    public VecraftException(String message) {
        super(message);
    }

    /**
     * @param message what happened, what was expected and what came
     * @param cause   the underlying failure
     */
    public VecraftException(String message, Throwable cause) {
        super(message, cause);
    }
}
