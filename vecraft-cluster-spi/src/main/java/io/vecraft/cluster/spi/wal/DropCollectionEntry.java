package io.vecraft.cluster.spi.wal;

/**
 * Payload of a {@link WalTypes#DROP_COLLECTION} entry.
 *
 * @param uid  uid of the dropped collection
 * @param name its name
 */
public record DropCollectionEntry(long uid, String name) {
}
