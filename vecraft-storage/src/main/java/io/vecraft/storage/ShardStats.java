package io.vecraft.storage;

/**
 * Sizes and counters of a shard.
 *
 * @param liveRecords     records with a live current version
 * @param versions        stored versions (live and deleted-but-retained)
 * @param tombstones      stored delete tombstones
 * @param vectorBytes     bytes of the vector store files
 * @param payloadBytes    bytes of the payload log
 * @param indexBytes      bytes of index files (id map, graph)
 * @param heapBytesEstimate estimated heap held by the shard's indexes
 */
public record ShardStats(long liveRecords, long versions, long tombstones, long vectorBytes, long payloadBytes,
                         long indexBytes, long heapBytesEstimate) {
}
