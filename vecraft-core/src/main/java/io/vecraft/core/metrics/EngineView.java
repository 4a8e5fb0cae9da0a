package io.vecraft.core.metrics;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What an open Vecraft engine exposes to monitoring, in JDK types only: its operation counters
 * and a cheap per-shard and per-partition view. Every {@link io.vecraft.api.Vecraft} opened with
 * vecraft-core implements it; {@link VecraftMetrics} reads it.
 *
 * <p>Thread-safe; every method reads in-memory state (no I/O apart from file sizes the storage
 * already tracks).
 */
public interface EngineView {

    /** @return the operation counters (shared, live) */
    OperationStats operations();

    /** @return the database clock now (HLC) */
    long clockNow();

    /** @return every shard of every collection now, in collection then shard order */
    List<ShardView> shardViews();

    /**
     * @param collection collection name
     * @param shard      shard index
     * @return that shard now, if the collection exists and has it
     */
    default Optional<ShardView> shardView(String collection, int shard) {
        for (ShardView s : shardViews()) {
            if (s.shard() == shard && s.collection().equals(collection)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** @return every journal partition now, in partition id order */
    List<PartitionView> partitionViews();

    /** @return bytes of the journal files on local disk; empty in cluster mode (remote journal) */
    OptionalLong journalBytes();

    /**
     * Calls {@code listener} after a collection is created or dropped (on the DDL thread), so a
     * binder can add or remove per-shard meters.
     *
     * @param listener fast, non-throwing
     * @return a handle that detaches it
     */
    AutoCloseable onCatalogChange(Runnable listener);

    /**
     * One shard.
     *
     * @param collection     collection name
     * @param shard          shard index
     * @param safeTime       HLC up to which it applied everything
     * @param failed         whether its applier stopped after an error
     * @param appliedEntries journal entries it consumed since open (-1 for remote copies)
     * @param appliedOps     record operations (upserts and deletes) it applied since open (-1 for remote copies)
     * @param liveRecords    records with a live version (-1 if unknown, e.g. remote)
     * @param vectorBytes    bytes of its vector files (-1 if unknown)
     * @param payloadBytes   bytes of its payload log (-1 if unknown)
     * @param indexBytes     bytes of its id map and graph files (-1 if unknown)
     */
    record ShardView(String collection, int shard, long safeTime, boolean failed, long appliedEntries,
                     long appliedOps, long liveRecords, long vectorBytes, long payloadBytes, long indexBytes) {
    }

    /**
     * One journal partition.
     *
     * @param id              partition id
     * @param name            partition name
     * @param headSequence    last appended sequence
     * @param durableSequence last sequence a power loss cannot take back, if known
     * @param failure         why it refuses writes (fsync error, full disk); empty when healthy
     */
    record PartitionView(int id, String name, long headSequence, OptionalLong durableSequence, Optional<String> failure) {
    }
}
