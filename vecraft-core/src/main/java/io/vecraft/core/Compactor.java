package io.vecraft.core;

import io.vecraft.api.CompactionStats;
import io.vecraft.api.Hlc;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.VecraftIOException;
import io.vecraft.journal.Journal;
import io.vecraft.journal.JournalPartition;
import io.vecraft.journal.JournalTailer;
import io.vecraft.storage.OpStamp;
import io.vecraft.storage.Shard;
import io.vecraft.storage.ShardConfig;
import io.vecraft.storage.StoredVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compactor of an embedded database. One run:
 * <ol>
 * <li>per shard, on its applier thread (the shard applies nothing meanwhile; reads go on):
 *     {@link Shard#purge} of versions and tombstones deleted before {@code now - versionRetention}
 *     and before the collection's slowest shard's safe time (the oldest time an EVENTUAL or BOUNDED
 *     read may still pick; the horizon is announced first, {@link CollectionRuntime#raisePurgeFloor},
 *     and reads that end below it are retried) (out of the HNSW and the inverted index; their slots
 *     become reusable); then, if the free
 *     fraction of the shard's slots ({@code 1 - versions / highWater}) is at least
 *     {@link VecraftConfig#compactionThreshold()}, a <b>rewrite</b>: every retained version and
 *     tombstone is copied, oldest first per id, into a fresh shard in {@code shard-<i>.compact}
 *     (packed slots, a payload log without dead records, an HNSW built from scratch), which is
 *     checkpointed, closed and swapped in by two renames ({@code shard-<i>} to
 *     {@code shard-<i>.old}, {@code .compact} to {@code shard-<i>}), reopened, and published to
 *     readers atomically ({@link ShardRuntime#swapStore}); reads that started on the old store finish
 *     there (its close waits for them) or retry on the new one. Then the shard checkpoints as many
 *     times as it retains checkpoints, so every checkpoint it could fall back to has applied
 *     everything applied now.</li>
 * <li>per journal partition, {@link JournalPartition#deleteBelow} of the cycle files whose entries
 *     every shard fed by it (and, for the system partition, the catalog) has checkpointed, and that
 *     are older than {@link VecraftConfig#journalRetention()}.</li>
 * </ol>
 * Runs exclude snapshots (the database's maintenance lock). A crash between the two renames is
 * repaired at open by {@link #recoverDirectory}.
 *
 * <p>Background runs come every {@link VecraftConfig#compactionInterval()} and are throttled: after
 * each shard they pause as long as that shard took, so the compactor uses at most about half of one
 * core. Thread-safe.
 */
final class Compactor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);
    static final String COMPACT_SUFFIX = ".compact";
    static final String OLD_SUFFIX = ".old";

    /** What the compactor needs from the database. */
    interface Host {
        /**
         * Fills {@code heads} with every partition's head sequence and returns the running collections,
         * both taken under the catalog lock: a collection created later starts after those heads.
         *
         * @param heads receives head sequence per partition id
         * @return the running collections
         */
        Collection<CollectionRuntime> collections(Map<Integer, Long> heads);

        /** @return the journal */
        Journal journal();

        /** @return the partition layout */
        PartitionLayout layout();

        /** @return the system-partition sequence the persisted catalog has applied */
        long catalogSequence();

        /** @return the lock shared with snapshots */
        ReentrantLock maintenance();
    }

    private final VecraftConfig config;
    private final Host host;
    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeup = lock.newCondition();
    private final Thread thread;
    private volatile boolean closed;
    private volatile CompactionStats totals = CompactionStats.none();

    Compactor(VecraftConfig config, Host host, LongSupplier clock) {
        this.config = config;
        this.host = host;
        this.clock = clock;
        if (config.compactionInterval().isZero()) {
            thread = null;
        } else {
            thread = new Thread(this::loop, "vecraft-compactor-" + config.directory().getFileName());
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** @return totals since open */
    CompactionStats totals() {
        return totals;
    }

    /**
     * Runs once now, unthrottled.
     *
     * @return what the run did
     */
    CompactionStats runOnce() {
        return run(false);
    }

    private void loop() {
        long interval = config.compactionInterval().toNanos();
        while (!closed) {
            lock.lock();
            try {
                long left = interval;
                while (!closed && left > 0) {
                    left = wakeup.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            if (closed) {
                return;
            }
            try {
                run(true);
            } catch (VecraftClosedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("background compaction of {} failed; retrying at the next interval", config.directory(), e);
            }
        }
    }

    private CompactionStats run(boolean throttled) {
        long t0 = System.nanoTime();
        long purged = 0;
        long rewritten = 0;
        long reclaimed = 0;
        int journalFiles;
        host.maintenance().lock();
        try {
            long horizon = clock.getAsLong() - (config.versionRetention().toMillis() << Hlc.LOGICAL_BITS);
            Map<Integer, Long> bound = new HashMap<>();
            Map<Integer, Long> heads = new HashMap<>();
            Collection<CollectionRuntime> collections = host.collections(heads);
            for (Map.Entry<Integer, Long> e : heads.entrySet()) {
                bound.put(e.getKey(), e.getValue() + 1);
            }
            long deadline = System.nanoTime() + Math.max(config.waitTimeout().toNanos(), TimeUnit.MINUTES.toNanos(10));
            for (CollectionRuntime rt : collections) {
                // Never purge what a read may still pick: an EVENTUAL or BOUNDED read of the collection uses a
                // snapshot time at or above its slowest shard's safe time (which only grows), so the horizon is
                // kept at or below it; reads that picked their time before this are retried by the query
                // processor when they finish below the announced floor.
                long collectionHorizon = horizon;
                for (ShardHandle h : rt.shards()) {
                    collectionHorizon = Math.min(collectionHorizon, h.safeTime());
                }
                rt.raisePurgeFloor(collectionHorizon);
                long purgeHorizon = collectionHorizon;
                for (ShardHandle h : rt.shards()) {
                    if (closed) {
                        throw new VecraftClosedException("compactor");
                    }
                    ShardRuntime sr = (ShardRuntime) h;
                    Path shardDir = rt.directory().resolve("shard-" + sr.shardIndex());
                    long s0 = System.nanoTime();
                    long[] r;
                    Map<Integer, Long> applied = new HashMap<>();
                    try {
                        r = sr.runOnApplier(store -> {
                            long[] done = compactShard(sr, store, shardDir, purgeHorizon,
                                    config.compactionThreshold());
                            // What the checkpoints just written hold; the applier moves on once the task returns,
                            // and journal files past a checkpoint must stay (a crash restarts from it).
                            applied.putAll(sr.appliedSequences());
                            return done;
                        }, deadline, "compaction");
                    } catch (VecraftClosedException e) {
                        continue; // dropped or closing meanwhile
                    }
                    purged += r[0];
                    rewritten += r[1];
                    reclaimed += r[2];
                    for (Map.Entry<Integer, Long> e : applied.entrySet()) {
                        bound.merge(e.getKey(), e.getValue() + 1, Math::min);
                    }
                    if (throttled) {
                        pause(System.nanoTime() - s0);
                    }
                }
            }
            journalFiles = deleteJournalFiles(bound);
        } finally {
            host.maintenance().unlock();
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        CompactionStats run = new CompactionStats(1, purged, rewritten, journalFiles, reclaimed, millis,
                System.currentTimeMillis());
        totals = totals.plus(run);
        LOG.info("compaction of {}: {} version(s) purged, {} shard(s) rewritten ({} bytes reclaimed), {} journal "
                + "file(s) deleted, {} ms", config.directory(), purged, rewritten, reclaimed, journalFiles, millis);
        return run;
    }

    private void pause(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (!closed && left > 0) {
                left = wakeup.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /**
     * On the applier thread: purge, maybe rewrite, checkpoint (also the compaction of a storage node's
     * replicas, {@link ReplicaHost}).
     *
     * @param horizon   versions and tombstones deleted before this HLC are purged
     * @param threshold rewrite when at least this fraction of the slots is free after the purge
     * @return {purged, rewritten, bytes reclaimed}
     */
    static long[] compactShard(ShardRuntime sr, Shard store, Path shardDir, long horizon, double threshold) {
        long purged = store.purge(horizon);
        long rewritten = 0;
        long reclaimed = 0;
        int hw = store.ordinalHighWater();
        long versions = store.stats().versions();
        double free = hw == 0 ? 0 : (double) (hw - versions) / hw;
        if (hw > 0 && free > 0 && free >= threshold) {
            long before = dataBytes(store);
            rewrite(sr, store, shardDir);
            reclaimed = Math.max(0, before - dataBytes(sr.store()));
            rewritten = 1;
        }
        Shard current = sr.store();
        int n = Math.max(1, current.config().checkpointsToKeep());
        for (int i = 0; i < n; i++) {
            sr.checkpointFromTask();
        }
        return new long[] {purged, rewritten, reclaimed};
    }

    /** Copies every retained version into a fresh shard, swaps the directories and the store. */
    static void rewrite(ShardRuntime sr, Shard old, Path shardDir) {
        Path compactDir = shardDir.resolveSibling(shardDir.getFileName() + COMPACT_SUFFIX);
        Path oldDir = shardDir.resolveSibling(shardDir.getFileName() + OLD_SUFFIX);
        EmbeddedVecraft.deleteRecursively(compactDir);
        EmbeddedVecraft.deleteRecursively(oldDir);
        ShardConfig cfg = old.config();
        try (Shard next = Shard.open(cfg.toBuilder(compactDir).build())) {
            for (String id : old.retainedIds()) {
                for (StoredVersion v : old.history(id)) {
                    OpStamp stamp = new OpStamp(v.createdHlc(), v.sequence(), v.partitionId(), v.requestId(),
                            v.transactionId());
                    if (v.op() == StoredVersion.Op.UPSERT) {
                        next.upsert(id, v.vector(), v.metadata(), v.document(), stamp);
                    } else {
                        next.delete(id, stamp);
                    }
                }
            }
            for (Map.Entry<Integer, Long> e : old.appliedSequences().entrySet()) {
                next.markApplied(e.getKey(), e.getValue());
            }
            next.checkpoint();
        }
        try {
            Files.move(shardDir, oldDir, StandardCopyOption.ATOMIC_MOVE);
            Files.move(compactDir, shardDir, StandardCopyOption.ATOMIC_MOVE);
            Fsync.directory(shardDir.getParent());
        } catch (IOException e) {
            throw new VecraftIOException("cannot swap the rewritten shard " + compactDir + " into " + shardDir, e);
        }
        Shard reopened = Shard.open(cfg);
        Shard previous = sr.swapStore(reopened);
        previous.close(); // waits for reads still inside it; later ones retry on the new store
        EmbeddedVecraft.deleteRecursively(oldDir);
    }

    /**
     * Repairs an interrupted swap before a shard opens: a leftover {@code .compact} directory is
     * deleted unless the shard directory is missing (crash between the renames: the old one is put
     * back); a leftover {@code .old} directory is deleted once the shard directory exists.
     *
     * @param shardDir the shard directory
     */
    static void recoverDirectory(Path shardDir) {
        Path compactDir = shardDir.resolveSibling(shardDir.getFileName() + COMPACT_SUFFIX);
        Path oldDir = shardDir.resolveSibling(shardDir.getFileName() + OLD_SUFFIX);
        try {
            if (!Files.exists(shardDir) && Files.exists(oldDir)) {
                LOG.warn("compaction of {} was interrupted between its renames: restoring the old directory", shardDir);
                Files.move(oldDir, shardDir, StandardCopyOption.ATOMIC_MOVE);
                Fsync.directory(shardDir.getParent());
            }
        } catch (IOException e) {
            throw new VecraftIOException("cannot restore " + oldDir + " to " + shardDir, e);
        }
        EmbeddedVecraft.deleteRecursively(compactDir);
        EmbeddedVecraft.deleteRecursively(oldDir);
    }

    private int deleteJournalFiles(Map<Integer, Long> shardBound) {
        Journal journal = host.journal();
        long cutoff = clock.getAsLong() - (config.journalRetention().toMillis() << Hlc.LOGICAL_BITS);
        int deleted = 0;
        for (JournalPartition p : journal.partitions()) {
            // data and tx partitions: what every shard fed by them has checkpointed, and at most the head when
            // the collection list was taken (a collection created later starts after it)
            long bound = p.id() == PartitionLayout.SYSTEM_ID ? host.catalogSequence() + 1
                    : shardBound.getOrDefault(p.id(), 0L);
            if (bound <= p.firstSequence()) {
                continue;
            }
            long old;
            try (JournalTailer t = p.tailer()) {
                t.seekHlc(cutoff);
                old = t.nextSequence();
            }
            long below = Math.min(bound, old);
            if (below > p.firstSequence()) {
                deleted += p.deleteBelow(below);
            }
        }
        return deleted;
    }

    /**
     * @return bytes a shard's data occupies in its files: the payload log up to its end and the vector slots
     *     up to the high-water mark (the files themselves are extended by whole mapped chunks, so their lengths
     *     say little; the pages past these bytes are never written and take no disk space)
     */
    static long dataBytes(Shard store) {
        return store.stats().payloadBytes() + io.vecraft.storage.vector.VectorStore.HEADER_BYTES
                + (long) store.ordinalHighWater()
                * io.vecraft.storage.vector.VectorStore.slotBytes(store.config().dimension());
    }

    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            wakeup.signalAll();
        } finally {
            lock.unlock();
        }
        if (thread != null && thread != Thread.currentThread()) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
