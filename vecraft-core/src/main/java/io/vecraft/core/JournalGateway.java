package io.vecraft.core;

import java.util.List;

/**
 * How the database reaches its journal: the local journal (embedded mode) or a cluster's
 * journal service (cluster mode). Appends go through it; readers get {@link EntrySource}s.
 *
 * <p>Thread-safe.
 */
interface JournalGateway extends AutoCloseable {

    /** @return partition names; index = partition id */
    List<String> partitionNames();

    /**
     * Appends durably (per the durability mode, or committed by the cluster's journal).
     *
     * @param partitionId   partition id
     * @param type          entry type
     * @param requestId     request id
     * @param transactionId transaction id, 0 for none
     * @param payload       payload
     * @return where and when
     */
    Appended append(int partitionId, int type, String requestId, long transactionId, byte[] payload);

    /** @return a fresh HLC, larger than the HLC of every write acknowledged to this process */
    long now();

    /**
     * @param partitionId partition id
     * @return the partition's last appended sequence
     */
    long headSequence(int partitionId);

    /**
     * @param partitionId partition id
     * @return a reader's view of the partition
     */
    EntrySource source(int partitionId);

    /** Releases the journal (embedded) or the connection (cluster); idempotent. */
    @Override
    void close();

    /**
     * An appended entry.
     *
     * @param partition partition name
     * @param sequence  its sequence
     * @param hlc       its HLC
     */
    record Appended(String partition, long sequence, long hlc) {
    }
}
