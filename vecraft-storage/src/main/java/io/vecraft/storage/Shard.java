package io.vecraft.storage;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One shard's durable data and indexes: MVCC record versions, an mmap vector store, a payload
 * log, a Chronicle Map id index, a vector index (HNSW or exact), a metadata inverted index and
 * checkpoints.
 *
 * <p>MVCC: every upsert allocates a new internal ordinal (a new version, created at the
 * operation's HLC); the superseded version gets its deleted HLC. A version is visible at T iff
 * {@code created <= T < deleted}. Reads take a snapshot time T and never see a version that is
 * invisible at T.
 *
 * <p>Threading: single writer. {@link #upsert}, {@link #delete}, {@link #markApplied},
 * {@link #checkpoint}, {@link #purge} and {@link #close} are called by one thread (the applier).
 * Every read method may be called from any thread concurrently with the writer; reads take no
 * lock on the search hot path and never observe a half-applied operation. Operations of one
 * shard are applied in HLC order; readers in core only read at T up to the shard's safe time.
 */
public interface Shard extends AutoCloseable {

    /**
     * Opens the shard in {@code config.directory()}, creating it if empty, otherwise restoring
     * the newest valid checkpoint (a partial checkpoint is ignored in favour of the previous one).
     * The caller replays the journal from {@link #appliedSequences()}.
     *
     * @param config the configuration
     * @return the open shard
     * @throws io.vecraft.api.CorruptedDataException if no valid checkpoint can be read, naming file and offset
     */
    static Shard open(ShardConfig config) {
        return MvccShard.open(config);
    }

    /** @return the configuration */
    ShardConfig config();

    // ---------------------------------------------------------------- writer (applier thread)

    /**
     * Applies an upsert: a new version of {@code id}, superseding the current one if any.
     *
     * @param id       record id (validated by the caller)
     * @param vector   vector of exactly {@code config().dimension()} finite values (not retained)
     * @param metadata normalised metadata (see {@link io.vecraft.api.Record#checkMetadata})
     * @param document document text or null
     * @param stamp    HLC, sequence, partition, request and transaction of the operation
     * @throws io.vecraft.api.InvalidArgumentException on wrong dimension or non-finite values
     */
    void upsert(String id, float[] vector, Map<String, Object> metadata, String document, OpStamp stamp);

    /**
     * Applies a delete: the current version of {@code id} gets {@code stamp.hlc()} as its
     * deleted HLC and a tombstone is recorded in the history.
     *
     * @param id    record id
     * @param stamp the operation's stamp
     * @return true if a live version existed
     */
    boolean delete(String id, OpStamp stamp);

    /**
     * Records that every entry of {@code partitionId} up to {@code sequence} has been applied to
     * this shard (entries for other shards included). Checkpoints store these positions.
     *
     * @param partitionId journal partition id
     * @param sequence    last applied sequence
     */
    void markApplied(int partitionId, long sequence);

    /** @return applied sequence per partition id, as restored from the checkpoint and advanced since */
    Map<Integer, Long> appliedSequences();

    /**
     * Writes a consistent image of the shard at its current applied sequences to a new
     * checkpoint directory, forces it, and publishes it by atomic rename of a manifest with a
     * CRC. Older checkpoints beyond the configured count are deleted afterwards.
     *
     * @return what was written
     */
    CheckpointInfo checkpoint();

    /**
     * Removes versions whose deleted HLC is below {@code beforeHlc} (and tombstones older than
     * it) from every index; their vector slots become reusable once a later checkpoint no longer
     * references them. Reads at a snapshot time below {@code beforeHlc} no longer see the
     * removed versions, so the caller purges only below every snapshot time still in use (the
     * retention horizon); reads at or above it are unaffected.
     *
     * @param beforeHlc versions deleted strictly before this HLC are removed
     * @return the number of versions removed
     */
    int purge(long beforeHlc);

    /**
     * Lists the files of the newest published checkpoint: its manifest, the files of its
     * directory, and the prefixes of the vector store and payload log it covers. Together they
     * are a self-contained copy of the shard at the checkpoint's applied sequences (the id map is
     * derived and rebuilt at open). Writer thread only, so no checkpoint is published or
     * deleted while the caller reads the list; the checkpoint's own files stay unchanged until
     * a later checkpoint's retention deletes them, and the listed prefixes stay unchanged as long
     * as {@link #purge} is not called (slots it frees may be reused later).
     *
     * @return the files, empty if no checkpoint has been published yet
     */
    List<ShardFile> checkpointFiles();

    /**
     * @return the ordinal high-water mark: vector slots {@code [0, highWater)} are in the store; those not
     *     holding a version ({@code highWater - stats().versions()}) are free (purged) and reclaimable by a
     *     rewrite. Any thread.
     */
    int ordinalHighWater();

    /**
     * @return every id that has at least one retained version (live, superseded or deleted), in
     *     no particular order; writer thread only (compaction copies a shard through it)
     */
    List<String> retainedIds();

    // ---------------------------------------------------------------- readers (any thread)

    /**
     * @param id      record id
     * @param asOfHlc snapshot time T
     * @param include which payload fields to load
     * @return the version of {@code id} visible at T, if any
     */
    Optional<StoredVersion> get(String id, long asOfHlc, Include include);

    /**
     * @param id record id
     * @return every retained operation on {@code id}, oldest first: upserts (with content) and deletes
     */
    List<StoredVersion> history(String id);

    /**
     * Nearest-neighbour search at a snapshot time, with an optional filter. Returns exactly
     * {@code min(k, number of visible matching versions)} hits, nearest first.
     *
     * @param request query vector, k, filter, snapshot time, ef and fields to include
     * @return the hits
     */
    List<ShardHit> search(ShardSearch request);

    /**
     * @param asOfHlc snapshot time T
     * @return the number of versions visible at T
     */
    long count(long asOfHlc);

    /** @return sizes and counters for metrics and tests */
    ShardStats stats();

    /** Closes files and indexes; idempotent. Does not checkpoint (the caller decides). */
    @Override
    void close();
}
