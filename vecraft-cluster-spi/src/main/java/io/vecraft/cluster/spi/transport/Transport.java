package io.vecraft.cluster.spi.transport;

/**
 * Moves bytes between cluster nodes: request/response calls and server-to-client streams, by
 * address. Every message that crosses the SPI is encoded with
 * {@link io.vecraft.cluster.spi.wire.WireFormat} before it reaches a transport, so an in-process
 * transport exercises the same encoding as a networked one.
 *
 * <p>Thread-safe. Closing the transport closes every listener and connection it made.
 */
public interface Transport extends AutoCloseable {

    /**
     * Starts serving requests sent to {@code address}.
     *
     * @param address the node's address (provider-specific, e.g. {@code "journal-0"} or {@code "127.0.0.1:7001"})
     * @param handler serves requests and streams
     * @return the listener; closing it stops serving
     * @throws io.vecraft.api.InvalidArgumentException if the address is malformed or already served
     */
    Listener listen(String address, MessageHandler handler);

    /**
     * Opens a connection to the node serving {@code address}. Connecting never blocks; failures
     * surface on the first call.
     *
     * @param address the node's address
     * @return the connection
     */
    Connection connect(String address);

    /** Closes every listener and connection; idempotent. */
    @Override
    void close();

    /** A served address. Closing stops serving it; idempotent. */
    interface Listener extends AutoCloseable {
        /** @return the address served */
        String address();

        @Override
        void close();
    }
}
