package io.vecraft.cluster.spi;

/**
 * One shard of one collection incarnation.
 *
 * @param collectionUid the collection's uid (HLC of its CREATE entry)
 * @param shard         shard index
 */
public record ShardId(long collectionUid, int shard) {
    @Override
    public String toString() {
        return Long.toHexString(collectionUid) + "/" + shard;
    }
}
