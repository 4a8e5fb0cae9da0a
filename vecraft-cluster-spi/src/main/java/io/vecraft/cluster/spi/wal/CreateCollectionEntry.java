package io.vecraft.cluster.spi.wal;

import io.vecraft.api.CollectionSpec;
import java.util.Map;

/**
 * Payload of a {@link WalTypes#CREATE_COLLECTION} entry.
 *
 * @param spec           the collection spec with its shard count resolved
 * @param startSequences per partition id, the head sequence when the collection was created:
 *                       the new shards start reading after it
 */
public record CreateCollectionEntry(CollectionSpec spec, Map<Integer, Long> startSequences) {
}
