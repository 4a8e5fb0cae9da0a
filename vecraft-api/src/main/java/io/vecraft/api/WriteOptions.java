package io.vecraft.api;

import java.util.Optional;

/**
 * Per-write options. Immutable; {@code withX} returns a copy.
 *
 * <pre>{@code
 * collection.upsert(record, WriteOptions.defaults().withRequestId("req-42").withSession(session));
 * }</pre>
 */
public final class WriteOptions {
    /** Longest request id, in UTF-8 bytes. */
    public static final int MAX_REQUEST_ID_BYTES = 128;

    private static final WriteOptions DEFAULTS = new WriteOptions(null, null, null);

    private final String requestId;
    private final Session session;
    private final AckLevel ackLevel;

    private WriteOptions(String requestId, Session session, AckLevel ackLevel) {
        this.requestId = requestId;
        this.session = session;
        this.ackLevel = ackLevel;
    }

    /** @return options with a generated request id, no session and the database's default ack level */
    public static WriteOptions defaults() {
        return DEFAULTS;
    }

    /**
     * @param requestId the caller's request id, carried into the journal, receipts and history
     * @return a copy with the request id
     * @throws InvalidArgumentException if empty or longer than {@link #MAX_REQUEST_ID_BYTES}
     */
    public WriteOptions withRequestId(String requestId) {
        if (requestId == null || requestId.isEmpty() || Record.utf8Length("requestId", requestId) > MAX_REQUEST_ID_BYTES) {
            throw new InvalidArgumentException("requestId",
                    "must be 1 to " + MAX_REQUEST_ID_BYTES + " UTF-8 bytes, was "
                            + (requestId == null ? "null" : Record.utf8Length("requestId", requestId)));
        }
        return new WriteOptions(requestId, session, ackLevel);
    }

    /**
     * @param session session to record the write in (for read-your-writes)
     * @return a copy with the session
     */
    public WriteOptions withSession(Session session) {
        if (session == null) {
            throw new InvalidArgumentException("session", "must not be null");
        }
        return new WriteOptions(requestId, session, ackLevel);
    }

    /**
     * @param ackLevel when the write returns
     * @return a copy with the ack level
     */
    public WriteOptions withAckLevel(AckLevel ackLevel) {
        if (ackLevel == null) {
            throw new InvalidArgumentException("ackLevel", "must not be null");
        }
        return new WriteOptions(requestId, session, ackLevel);
    }

    /** @return the caller's request id, if set */
    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }

    /** @return the session, if set */
    public Optional<Session> session() {
        return Optional.ofNullable(session);
    }

    /** @return the ack level, if set (else the database default) */
    public Optional<AckLevel> ackLevel() {
        return Optional.ofNullable(ackLevel);
    }
}
