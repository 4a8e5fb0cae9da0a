package io.vecraft.cluster.spi.transport;

import java.time.Duration;

/**
 * Server side of a stream. Used by the one thread serving the stream.
 */
public interface StreamSink {

    /**
     * Sends one message, blocking while the client's window is full (back-pressure).
     *
     * @param message the encoded message
     * @param timeout longest wait for window space
     * @return false if the client closed the stream (stop sending)
     * @throws io.vecraft.api.VecraftTimeoutException if the window stayed full for {@code timeout}
     */
    boolean send(byte[] message, Duration timeout);

    /** @return true once the client has closed the stream */
    boolean isClosed();
}
