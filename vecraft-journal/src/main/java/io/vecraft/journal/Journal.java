package io.vecraft.journal;

import java.util.List;

/**
 * A partitioned, HLC-sequenced, durable write-ahead journal. Each partition is an independent,
 * totally ordered log with dense sequence numbers starting at 1; all partitions share one
 * {@link HybridLogicalClock}, so the total order of all entries is (HLC, partition id, sequence).
 *
 * <p>Thread-safe: any thread may append to any partition. {@link #close()} is idempotent; use
 * after close throws {@link io.vecraft.api.VecraftClosedException}.
 */
public interface Journal extends AutoCloseable {

    /**
     * Opens (creating if needed) the journal described by {@code config}, running open-time
     * recovery on every partition (torn tails are cut off and logged; corruption before the tail
     * raises {@link io.vecraft.api.CorruptedDataException}).
     *
     * @param config the configuration
     * @return the open journal
     */
    static Journal open(JournalConfig config) {
        return ChronicleJournal.open(config);
    }

    /** @return the clock that stamps every entry */
    HybridLogicalClock clock();

    /** @return all partitions, in id order (ids are 0..n-1) */
    List<JournalPartition> partitions();

    /**
     * @param name partition name
     * @return the partition
     * @throws io.vecraft.api.NotFoundException if no partition has that name
     */
    JournalPartition partition(String name);

    /**
     * @param id partition id
     * @return the partition
     * @throws io.vecraft.api.NotFoundException if no partition has that id
     */
    JournalPartition partition(int id);

    /** @return the configuration this journal was opened with */
    JournalConfig config();

    /**
     * Forces every partition's appended entries to disk (see {@link JournalPartition#flush()}).
     *
     * @throws io.vecraft.api.VecraftIOException if a force fails
     */
    void flush();

    /** Flushes (forces) and releases every partition and the directory lock; idempotent. */
    @Override
    void close();
}
