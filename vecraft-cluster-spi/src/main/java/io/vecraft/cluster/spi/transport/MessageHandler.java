package io.vecraft.cluster.spi.transport;

/**
 * Server side of a {@link Transport} address. Called from transport threads, possibly
 * concurrently: implementations are thread-safe.
 */
public interface MessageHandler {

    /**
     * Serves one request.
     *
     * @param request the encoded request
     * @return the encoded response
     * @throws RuntimeException a {@link io.vecraft.api.VecraftException} is carried back to the
     *                          caller with its kind and message; anything else as an internal error
     */
    byte[] handle(byte[] request);

    /**
     * Serves a stream: sends messages to {@code sink} until the client closes the stream, the
     * request is exhausted, or an error occurs. {@link StreamSink#send} blocks when the client's
     * window is full (back-pressure). The default refuses streams.
     *
     * @param request the encoded stream request
     * @param sink    where to send messages
     */
    default void stream(byte[] request, StreamSink sink) {
        throw new io.vecraft.api.InvalidArgumentException("stream", "this address does not serve streams");
    }
}
