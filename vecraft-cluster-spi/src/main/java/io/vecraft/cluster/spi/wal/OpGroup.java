package io.vecraft.cluster.spi.wal;

import java.util.List;

/**
 * The operations of one journal entry that belong to one shard of one collection.
 *
 * @param collectionUid the collection's uid (HLC of its create entry)
 * @param shard         shard index within the collection
 * @param ops           operations in order
 */
public record OpGroup(long collectionUid, int shard, List<WalOp> ops) {
}
