package io.vecraft.storage.internal;

import java.util.Map;

/**
 * A decoded payload-log record: an upsert (metadata and document of one version) or a delete
 * tombstone. Immutable and thread-safe (the metadata map is unmodifiable).
 *
 * @param kind          {@link #UPSERT} or {@link #DELETE}
 * @param ordinal       the version's ordinal (for a delete: the version it deleted)
 * @param hlc           HLC of the operation
 * @param sequence      journal sequence of the operation
 * @param partitionId   journal partition of the operation
 * @param transactionId transaction id, 0 for none
 * @param requestId     request id ("" for none)
 * @param id            record id
 * @param metadata      metadata if decoded (upserts), else null
 * @param document      document if decoded and present, else null
 */
public record PayloadRecord(int kind, int ordinal, long hlc, long sequence, int partitionId, long transactionId,
                            String requestId, String id, Map<String, Object> metadata, String document) {
    /** Kind of an upsert record. */
    public static final int UPSERT = 1;
    /** Kind of a delete tombstone. */
    public static final int DELETE = 2;
}
