package io.vecraft.cluster.spi.wal;

import java.util.Map;

/** One record operation inside a journal entry. Immutable values (arrays are not copied). */
public sealed interface WalOp {

    /** @return the record id */
    String id();

    /**
     * Insert or replace a record.
     *
     * @param id       record id
     * @param vector   the vector (owned by the op; COSINE vectors are stored as given and normalised by the shard)
     * @param metadata normalised metadata
     * @param document document text or null
     */
    record Upsert(String id, float[] vector, Map<String, Object> metadata, String document) implements WalOp {
    }

    /**
     * Delete a record.
     *
     * @param id record id
     */
    record Delete(String id) implements WalOp {
    }
}
