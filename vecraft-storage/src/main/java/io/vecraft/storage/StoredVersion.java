package io.vecraft.storage;

import java.util.Map;

/**
 * One version of a record (or a delete tombstone) as stored in a shard.
 *
 * @param id            record id
 * @param op            {@link Op#UPSERT} for a version, {@link Op#DELETE} for a tombstone
 * @param createdHlc    HLC of the operation
 * @param deletedHlc    HLC at which this version stopped being visible, {@link Long#MAX_VALUE} if live (tombstones: equal to createdHlc)
 * @param sequence      journal sequence of the operation
 * @param partitionId   journal partition of the operation
 * @param requestId     request id of the operation
 * @param transactionId transaction id, 0 for none
 * @param vector        the vector if loaded, else null
 * @param metadata      the metadata if loaded, else null
 * @param document      the document if loaded and present, else null
 */
public record StoredVersion(String id, Op op, long createdHlc, long deletedHlc, long sequence, int partitionId,
                            String requestId, long transactionId, float[] vector, Map<String, Object> metadata,
                            String document) {

    /** Kind of operation a version records. */
    public enum Op {
        /** A record version. */
        UPSERT,
        /** A delete tombstone. */
        DELETE
    }
}
