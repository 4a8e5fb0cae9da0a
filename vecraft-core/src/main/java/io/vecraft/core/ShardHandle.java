package io.vecraft.core;

import io.vecraft.storage.Include;
import io.vecraft.storage.ShardHit;
import io.vecraft.storage.ShardSearch;
import io.vecraft.storage.ShardStats;
import io.vecraft.storage.StoredVersion;
import java.util.List;
import java.util.Optional;

/**
 * One shard as the query processor and the write path see it: a local shard with its applier
 * ({@link ShardRuntime}, embedded mode) or a set of remote replicas ({@link RemoteShard}, cluster
 * mode). Reads take a snapshot time T; the implementation serves them from a copy whose safe
 * time is at least T (waiting, bounded, if needed).
 *
 * <p>Thread-safe.
 */
interface ShardHandle {

    /** @return e.g. {@code docs/0} */
    String name();

    /** @return the best known safe time: every entry for the shard up to it is applied */
    long safeTime();

    /** @throws io.vecraft.api.VecraftException if the shard cannot serve reads */
    void checkHealthy();

    /**
     * Checks that the shard can serve reads at or below its safe time. A shard whose applier failed
     * still serves what it applied (waits for anything newer fail); by default this is
     * {@link #checkHealthy()}.
     *
     * @throws io.vecraft.api.VecraftException if the shard cannot serve any read
     */
    default void checkCanRead() {
        checkHealthy();
    }

    /**
     * Asks the shard to move its safe time to at least {@code hlc} soon (refresh idle partitions).
     *
     * @param hlc the wanted HLC
     */
    void requestRefresh(long hlc);

    /**
     * Waits until a copy the reads can use has safe time {@code >= hlc}.
     *
     * @param hlc           the HLC
     * @param deadlineNanos {@link System#nanoTime()} deadline
     * @param what          for messages
     * @throws io.vecraft.api.VecraftTimeoutException at the deadline
     */
    void awaitSafeTime(long hlc, long deadlineNanos, String what);

    /**
     * Write acknowledgement: waits until every live copy has applied up to {@code hlc}.
     *
     * @param hlc           the write's HLC
     * @param deadlineNanos deadline
     * @param what          for messages
     */
    void awaitApplied(long hlc, long deadlineNanos, String what);

    /**
     * @param request query with its snapshot time
     * @return hits, nearest first
     */
    List<ShardHit> search(ShardSearch request);

    /**
     * @param id      record id
     * @param asOfHlc snapshot time
     * @param include fields to load
     * @return the visible version, if any
     */
    Optional<StoredVersion> get(String id, long asOfHlc, Include include);

    /**
     * @param asOfHlc snapshot time
     * @return visible records
     */
    long count(long asOfHlc);

    /**
     * @param id record id
     * @return every retained operation on it, oldest first
     */
    List<StoredVersion> history(String id);

    /**
     * Checkpoints now (no-op for remote copies, which checkpoint on their own schedule).
     *
     * @param deadlineNanos deadline
     */
    void checkpointNow(long deadlineNanos);

    /** @return whether this copy's applier stopped after an error (remote copies: false, checked per read) */
    default boolean applierFailed() {
        return false;
    }

    /** @return journal entries consumed since open, or -1 if unknown (remote copies) */
    default long appliedEntries() {
        return -1;
    }

    /** @return record operations (upserts, deletes) applied since open, or -1 if unknown (remote copies) */
    default long appliedOperations() {
        return -1;
    }

    /** @return sizes and counters of the local store; empty for remote copies or once stopped */
    default Optional<ShardStats> localStats() {
        return Optional.empty();
    }

    /**
     * Stops serving; local copies stop applying and close (checkpointing if asked).
     *
     * @param checkpoint checkpoint before closing
     */
    void stop(boolean checkpoint);
}
