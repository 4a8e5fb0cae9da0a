package io.vecraft.api;

import java.util.List;

/**
 * The journal as an audit stream: every write, in journal order, for lineage and compliance.
 * Heartbeat ticks are not shown. Entries older than the journal retention may be gone.
 *
 * <p>Thread-safe; each returned cursor is used by one thread and must be closed.
 */
public interface AuditLog {

    /** @return the journal partition names, e.g. {@code system}, {@code tx}, {@code data-0} */
    List<String> partitions();

    /**
     * Reads one partition from a sequence.
     *
     * @param partition    partition name
     * @param fromSequence first sequence to return (1 for the beginning)
     * @return a cursor over the entries present now, in sequence order
     * @throws NotFoundException if the partition does not exist
     */
    Cursor read(String partition, long fromSequence);

    /**
     * Reads every partition from an HLC, merged in the journal's total order (HLC, partition, sequence).
     *
     * @param fromHlc first HLC to return (0 for the beginning)
     * @return a cursor over the entries present now
     */
    Cursor readFromHlc(long fromHlc);

    /** A closeable iterator over journal records. Not thread-safe. */
    interface Cursor extends java.util.Iterator<JournalRecord>, AutoCloseable {
        /** Releases the cursor; idempotent. */
        @Override
        void close();
    }
}
