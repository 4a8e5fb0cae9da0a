package io.vecraft.api;

import io.vecraft.api.spi.VecraftProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * An open Vecraft database: collections of vectors with metadata, written through a durable,
 * HLC-ordered journal and searched at consistent snapshots.
 *
 * <pre>{@code
 * try (Vecraft db = Vecraft.open(Path.of("data"))) {
 *     Collection docs = db.createCollection(CollectionSpec.of("docs", 3));
 *     docs.upsert(Record.of("a", new float[] {1, 0, 0}).withMetadata(Map.of("lang", "en")));
 *     SearchResult r = docs.search(SearchRequest.of(new float[] {1, 0.1f, 0}, 5));
 * }
 * }</pre>
 *
 * <p>Thread-safe: share one instance across the application. {@link #close()} checkpoints every
 * shard and is idempotent; use after close throws {@link VecraftClosedException}. Only one
 * process may open a directory at a time.
 */
public interface Vecraft extends AutoCloseable {

    /**
     * Opens (creating if needed) the database in {@code directory} with the default configuration.
     *
     * @param directory data directory
     * @return the open database
     */
    static Vecraft open(Path directory) {
        return builder(directory).open();
    }

    /**
     * @param directory data directory
     * @return a configuration builder; finish with {@link VecraftConfig.Builder#open()}
     */
    static VecraftConfig.Builder builder(Path directory) {
        return VecraftConfig.builder(directory);
    }

    /**
     * Opens the database described by {@code config}: restores each shard's newest checkpoint and
     * replays the journal from there, so every acknowledged write is present.
     *
     * @param config the configuration
     * @return the open database
     * @throws CorruptedDataException if the data fails its checks in a way recovery cannot repair
     * @throws VecraftException       if no engine is on the class path (add vecraft-core)
     */
    static Vecraft open(VecraftConfig config) {
        for (VecraftProvider provider : ServiceLoader.load(VecraftProvider.class, Vecraft.class.getClassLoader())) {
            return provider.open(config);
        }
        throw new VecraftException("no Vecraft engine found on the class path: add io.vecraft:vecraft-core");
    }

    /**
     * Checks every file of a closed database directory without changing anything: the journal (every
     * entry's header and CRC32C, sequence continuity), the catalog, each shard's checkpoint manifests and the
     * files they list, the payload log records, the vector slot headers, the HNSW graph and the id map. It
     * takes the directory's lock while it runs, so it fails if the database is open.
     *
     * @param directory the data directory
     * @return one finding per file (or per problem); {@link VerifyReport#ok()} is false if opening would fail
     *     or lose data
     * @throws NotFoundException if {@code directory} does not exist
     * @throws VecraftException  if the database is open (the lock is held) or no engine is on the class path
     */
    static VerifyReport verify(Path directory) {
        if (directory == null) {
            throw new InvalidArgumentException("directory", "must not be null");
        }
        for (VecraftProvider provider : ServiceLoader.load(VecraftProvider.class, Vecraft.class.getClassLoader())) {
            return provider.verify(directory);
        }
        throw new VecraftException("no Vecraft engine found on the class path: add io.vecraft:vecraft-core");
    }

    /**
     * Restores the snapshot in {@code snapshot} (written by {@link #snapshot(Path)}) into the absent or
     * empty directory {@code target}, with everything the snapshot holds. Equivalent to
     * {@code restore(snapshot, target, RestorePoint.latest())}.
     *
     * @param snapshot the snapshot directory
     * @param target   the new data directory
     * @return what was restored
     */
    static RestoreReport restore(Path snapshot, Path target) {
        return restore(snapshot, target, RestorePoint.latest());
    }

    /**
     * Restores a snapshot into a new data directory up to a point: the snapshot's end, a journal
     * sequence, or an HLC (point-in-time recovery). The snapshot is verified first (every file's length
     * and CRC32C); the journal is cut at the point; each shard whose checkpoint lies at or before the
     * point is restored from it and replays the rest of the journal at open, a shard whose checkpoint
     * lies after the point is rebuilt from the journal (which needs the journal from the collection's
     * creation: a snapshot of a journal trimmed by retention cannot go back before its checkpoints).
     * Nothing is written to {@code target} unless the checks pass. Open the result with
     * {@link #open(Path)}.
     *
     * @param snapshot the snapshot directory
     * @param target   the new data directory (absent or empty)
     * @param point    where to stop
     * @return what was restored
     * @throws CorruptedDataException   if the snapshot fails its checks
     * @throws InvalidArgumentException if the point is outside the snapshot or the target is not empty
     * @throws NotFoundException        if the snapshot has no manifest
     */
    static RestoreReport restore(Path snapshot, Path target, RestorePoint point) {
        if (snapshot == null) {
            throw new InvalidArgumentException("snapshot", "must not be null");
        }
        if (target == null) {
            throw new InvalidArgumentException("target", "must not be null");
        }
        if (point == null) {
            throw new InvalidArgumentException("point", "must not be null");
        }
        for (VecraftProvider provider : ServiceLoader.load(VecraftProvider.class, Vecraft.class.getClassLoader())) {
            return provider.restore(snapshot, target, point);
        }
        throw new VecraftException("no Vecraft engine found on the class path: add io.vecraft:vecraft-core");
    }

    /**
     * Checks a snapshot without changing it: the manifest's own CRC32C, then every listed file's
     * presence, length and CRC32C.
     *
     * @param snapshot the snapshot directory
     * @return one finding per file; {@link VerifyReport#ok()} is false if a restore would refuse it
     * @throws NotFoundException if {@code snapshot} does not exist
     */
    static VerifyReport verifySnapshot(Path snapshot) {
        if (snapshot == null) {
            throw new InvalidArgumentException("snapshot", "must not be null");
        }
        for (VecraftProvider provider : ServiceLoader.load(VecraftProvider.class, Vecraft.class.getClassLoader())) {
            return provider.verifySnapshot(snapshot);
        }
        throw new VecraftException("no Vecraft engine found on the class path: add io.vecraft:vecraft-core");
    }

    /** @return the configuration this database was opened with */
    VecraftConfig config();

    /**
     * Creates a collection (a DDL entry in the system journal partition).
     *
     * @param spec name, dimension, metric, index, shards
     * @return the new collection
     * @throws AlreadyExistsException if the name is taken
     */
    Collection createCollection(CollectionSpec spec);

    /**
     * Drops a collection and deletes its data. Searches in flight on it may fail with
     * {@link NotFoundException}.
     *
     * @param name collection name
     * @throws NotFoundException if it does not exist
     */
    void dropCollection(String name);

    /** @return the specs of every collection, by name */
    List<CollectionSpec> listCollections();

    /**
     * @param name collection name
     * @return the collection
     * @throws NotFoundException if it does not exist
     */
    Collection collection(String name);

    /**
     * @param name collection name
     * @return the collection, if it exists
     */
    Optional<Collection> findCollection(String name);

    /**
     * Runs {@code body} to collect a write set, then writes it atomically as one journal entry.
     * If {@code body} throws, nothing is written.
     *
     * @param body fills the transaction
     * @return the receipt (its transaction id is set)
     * @throws InvalidArgumentException if the transaction is empty or invalid (nothing written)
     */
    default Receipt transaction(Consumer<Transaction> body) {
        return transaction(body, WriteOptions.defaults());
    }

    /**
     * @param body    fills the transaction
     * @param options request id, session, ack level
     * @return the receipt
     */
    Receipt transaction(Consumer<Transaction> body, WriteOptions options);

    /** @return a new session for read-your-writes consistency */
    default Session newSession() {
        return new Session();
    }

    /** @return the current HLC of this database's clock (for as-of reads) */
    long now();

    /**
     * Liveness and readiness with reasons: whether a journal partition or shard applier failed, and
     * how far each shard lags behind the journal compared with {@link VecraftConfig#readyLagThreshold()}.
     * Cheap (reads in-memory watermarks); works after {@link #close()} (reports {@link Health.Status#DOWN}).
     *
     * @return the health now
     */
    Health health();

    /** @return the journal as an audit stream */
    AuditLog journal();

    /**
     * Checkpoints every shard now (it also happens periodically and on close), so a reopen
     * replays less.
     */
    void checkpoint();

    /**
     * Writes a consistent, self-contained backup to {@code directory} (absent or empty) while
     * reads and writes go on; see {@link #snapshot(SnapshotDestination)}.
     *
     * @param directory the snapshot directory
     * @return what was written
     */
    default SnapshotInfo snapshot(Path directory) {
        return snapshot(SnapshotDestination.directory(directory));
    }

    /**
     * Writes a consistent, self-contained backup while reads and writes go on: every shard
     * checkpoints, then the checkpoints' files, the catalog and the journal up to a head recorded per
     * partition (every entry the checkpoints have applied, and more) are copied, each with its length
     * and CRC32C in a manifest written last. Collection creation and drops wait while it runs; writes
     * are accepted, and each shard pauses applying only while its checkpoint files are copied.
     * Restore with {@link #restore(Path, Path, RestorePoint)}.
     *
     * @param destination where to write
     * @return what was written
     * @throws VecraftIOException if writing fails (what was written is removed)
     */
    default SnapshotInfo snapshot(SnapshotDestination destination) {
        throw new VecraftException("this engine cannot write snapshots");
    }

    /**
     * Runs the compactor now (it also runs in the background; see
     * {@link VecraftConfig#compactionInterval()}): purges versions and tombstones older than the
     * version retention, rewrites shards whose reclaimable fraction passes
     * {@link VecraftConfig#compactionThreshold()} (packed vector slots, compacted payload log,
     * rebuilt HNSW, swapped in while searches go on), and deletes journal files every checkpoint
     * covers and that are older than {@link VecraftConfig#journalRetention()}.
     *
     * @return what this run did
     */
    default CompactionStats compact() {
        throw new VecraftException("this engine cannot compact");
    }

    /** @return totals of every compaction run since open */
    default CompactionStats compactionStats() {
        return CompactionStats.none();
    }

    /** Checkpoints and closes everything; idempotent. */
    @Override
    void close();
}
