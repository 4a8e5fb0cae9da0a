package io.vecraft.cluster.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The shard replicas one storage node hosts (seed: Storage-Node): each streams the journal
 * partitions feeding its shard and applies them in HLC order to its own copy; reads run at a
 * snapshot time T no later than the replica's safe time. A node hosts the replicas the shard map
 * in the {@link MetadataStore} assigns to it (see {@link CatalogKeys}) and creates or drops them
 * as collections are created or dropped.
 *
 * <p>Thread-safe client view; calls go over the transport.
 */
public interface ShardReplica {

    /** @return the storage node's id */
    String node();

    /**
     * @param shard the shard
     * @return the replica's applied watermark and health
     * @throws io.vecraft.api.NotFoundException if the node does not host the shard (yet)
     */
    ReplicaStatus status(ShardId shard);

    /**
     * Pull-before-read: waits until the replica's safe time reaches {@code hlc}, asking it to
     * catch up (refresh idle partitions) at once. If the node does not host the shard yet (a
     * collection created a moment ago), it first waits for the replica to appear.
     *
     * @param shard   the shard
     * @param hlc     the HLC to reach
     * @param timeout longest wait
     * @return the replica's status once it got there, or its status at the timeout
     * @throws io.vecraft.api.NotFoundException if the node still does not host the shard at the timeout
     */
    ReplicaStatus awaitSafeTime(ShardId shard, long hlc, Duration timeout);

    /**
     * Nearest-neighbour search at the query's snapshot time (which must not exceed the safe time).
     *
     * @param shard the shard
     * @param query the query
     * @return up to k hits, nearest first
     */
    List<ReplicaHit> search(ShardId shard, ReplicaQuery query);

    /**
     * @param shard       the shard
     * @param id          record id
     * @param snapshotHlc snapshot time
     * @return the version visible at the snapshot, if any (with vector, metadata and document)
     */
    Optional<ReplicaVersion> get(ShardId shard, String id, long snapshotHlc);

    /**
     * @param shard       the shard
     * @param snapshotHlc snapshot time
     * @return records visible at the snapshot
     */
    long count(ShardId shard, long snapshotHlc);

    /**
     * @param shard the shard
     * @param id    record id
     * @return every retained operation on the record, oldest first
     */
    List<ReplicaVersion> history(ShardId shard, String id);
}
