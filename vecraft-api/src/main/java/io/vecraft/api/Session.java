package io.vecraft.api;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A client session for read-your-writes consistency: it remembers the highest HLC of the writes
 * made through it (pass it in {@link WriteOptions#withSession(Session)}, or record receipts with
 * {@link #observe(Receipt)}), and reads with {@link Consistency#readYourWrites(Session)} see all
 * of them.
 *
 * <p>Thread-safe: a session may be shared by threads; it then covers all their writes.
 */
public final class Session {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final AtomicLong lastWriteHlc = new AtomicLong();

    /** Creates a session that has not written yet. */
    public Session() {
    }

    /**
     * Records a write made outside {@link WriteOptions#withSession(Session)}.
     *
     * @param receipt the write's receipt
     */
    public void observe(Receipt receipt) {
        observeHlc(receipt.hlc());
    }

    /**
     * Records that the session has seen (or written) everything up to {@code hlc}.
     *
     * @param hlc a hybrid logical timestamp
     */
    public void observeHlc(long hlc) {
        lastWriteHlc.accumulateAndGet(hlc, Math::max);
    }

    /** @return the highest HLC recorded, 0 if none */
    public long lastWriteHlc() {
        return lastWriteHlc.get();
    }

    @Override
    public String toString() {
        return "session-" + id + "@" + lastWriteHlc.get();
    }
}
