package io.vecraft.cluster.spi.transport;

import java.time.Duration;

/**
 * Client side of a stream. Used by one thread at a time.
 */
public interface MessageStream extends AutoCloseable {

    /**
     * @param timeout longest wait
     * @return the next message, or null if none arrived within {@code timeout}
     * @throws NodeUnavailableException         if the stream broke (node died, isolated)
     * @throws io.vecraft.api.VecraftException  the server's error
     * @throws java.util.NoSuchElementException if the server ended the stream normally
     */
    byte[] poll(Duration timeout);

    /** @return true once the server ended the stream or it broke */
    boolean isDone();

    /** Tells the server to stop; idempotent. */
    @Override
    void close();
}
