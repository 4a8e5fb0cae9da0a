package io.vecraft.cluster.spi.transport;

import java.time.Duration;

/**
 * Client side of a {@link Transport} address. Thread-safe: calls may be made concurrently.
 */
public interface Connection extends AutoCloseable {

    /** @return the address this connection reaches */
    String address();

    /**
     * Sends a request and waits for its response.
     *
     * @param request the encoded request
     * @param timeout deadline of the whole call
     * @return the encoded response
     * @throws io.vecraft.api.VecraftTimeoutException if no response came within {@code timeout}
     * @throws NodeUnavailableException               if the node cannot be reached
     * @throws io.vecraft.api.VecraftException        the server's error, of the same kind
     */
    byte[] call(byte[] request, Duration timeout);

    /**
     * Opens a stream: the server sends messages until either side closes it.
     *
     * @param request the encoded stream request
     * @param window  messages the server may send ahead of the client's reads (back-pressure), at least 1
     * @return the stream
     */
    MessageStream stream(byte[] request, int window);

    /** Closes the connection and its streams; idempotent. */
    @Override
    void close();
}
