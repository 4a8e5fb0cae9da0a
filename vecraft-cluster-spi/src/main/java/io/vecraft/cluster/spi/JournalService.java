package io.vecraft.cluster.spi;

import java.time.Duration;
import java.util.List;

/**
 * The journal layer of a cluster (seed: Journal-Service): partitions replicated across journal
 * nodes; the leader of a partition assigns each entry its sequence and HLC, replicates it, and
 * acknowledges it once it is durable on a majority (committed). Readers only ever see committed
 * entries, so an entry a reader has seen survives the failure of any minority of journal nodes.
 *
 * <p>Thread-safe. Calls that reach a partition without a leader fail with
 * {@link io.vecraft.cluster.spi.transport.NodeUnavailableException} or time out; callers retry.
 */
public interface JournalService {

    /** @return partition names in id order */
    List<String> partitions();

    /**
     * Appends one entry; returns once it is committed.
     *
     * @param partition     partition name
     * @param type          entry type (1..255; 0 is reserved for ticks)
     * @param requestId     request id
     * @param transactionId transaction id, 0 for none
     * @param payload       payload ({@link io.vecraft.cluster.spi.wal} format)
     * @return the entry's partition, sequence and HLC
     */
    AppendAck append(String partition, int type, String requestId, long transactionId, byte[] payload);

    /**
     * Reads committed entries from {@code fromSequence}, waiting up to {@code maxWait} for at
     * least one.
     *
     * @param partition    partition name
     * @param fromSequence first sequence wanted (at least the partition's first stored sequence)
     * @param maxEntries   most entries returned
     * @param maxWait      longest wait when none is available
     * @return the entries (possibly none) and the partition's commit watermark
     */
    ReadBatch read(String partition, long fromSequence, int maxEntries, Duration maxWait);

    /**
     * Streams committed entries from {@code fromSequence} as they commit (the seed's WAL delta
     * distribution), with back-pressure: the server never runs more than {@code window} entries
     * ahead of the reader.
     *
     * @param partition    partition name
     * @param fromSequence first sequence wanted
     * @param window       entries in flight, at least 1
     * @return the stream; close it when done
     */
    EntryStream stream(String partition, long fromSequence, int window);

    /**
     * The partition's watermark, taken atomically by its leader: {@code sequence} is the last
     * appended entry (committed or not) and {@code hlc} a fresh reading of the leader's clock, so
     * every entry up to {@code sequence} has a smaller HLC and every later one a larger. A reader
     * that has consumed every entry up to {@code sequence} knows every entry with HLC up to
     * {@code hlc}: this is how storage nodes move safe time on idle partitions.
     *
     * @param partition partition name
     * @return the watermark
     */
    Watermark watermark(String partition);

    /**
     * @param partition partition name
     * @return the first sequence still stored (after retention)
     */
    long firstSequence(String partition);

    /**
     * A stream of committed entries. One thread reads it; close it when done.
     */
    interface EntryStream extends AutoCloseable {
        /**
         * @param timeout longest wait
         * @return the next entry, or null if none arrived within {@code timeout}
         * @throws io.vecraft.cluster.spi.transport.NodeUnavailableException if the stream broke
         *         (e.g. the leader changed); reopen it from the next sequence
         */
        EntryMessage poll(Duration timeout);

        @Override
        void close();
    }
}
