package io.vecraft.cluster.spi;

import java.util.Map;

/**
 * One version (or delete tombstone) of a record as a replica stores it.
 *
 * @param id            record id
 * @param delete        true for a delete tombstone
 * @param createdHlc    HLC of the operation
 * @param deletedHlc    HLC at which the version stopped being visible ({@link Long#MAX_VALUE} if current)
 * @param sequence      journal sequence of the operation
 * @param partitionId   journal partition of the operation
 * @param requestId     request id
 * @param transactionId transaction id, 0 for none
 * @param vector        the vector, or null (tombstones, purged content)
 * @param metadata      the metadata (empty for tombstones)
 * @param document      the document or null
 */
public record ReplicaVersion(String id, boolean delete, long createdHlc, long deletedHlc, long sequence,
                             int partitionId, String requestId, long transactionId, float[] vector,
                             Map<String, Object> metadata, String document) {
}
