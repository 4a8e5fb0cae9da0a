package io.vecraft.core;

import io.vecraft.api.CollectionSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.cluster.spi.CatalogKeys;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.ReplicaHit;
import io.vecraft.cluster.spi.ReplicaQuery;
import io.vecraft.cluster.spi.ReplicaStatus;
import io.vecraft.cluster.spi.ReplicaVersion;
import io.vecraft.cluster.spi.ShardId;
import io.vecraft.cluster.spi.ShardReplica;
import io.vecraft.storage.Include;
import io.vecraft.storage.Shard;
import io.vecraft.storage.ShardConfig;
import io.vecraft.storage.ShardHit;
import io.vecraft.storage.ShardSearch;
import io.vecraft.storage.StoredVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A storage node (seed: Storage-Node): hosts the shard replicas the cluster's shard map places on
 * it. It watches the catalog in the {@link MetadataStore} ({@link CatalogKeys}); for every
 * collection with a shard placed here it opens a local shard (restoring its newest checkpoint)
 * and runs the same applier as embedded mode, fed by the {@link JournalService} (the data
 * partition of the shard and the transaction partition); a dropped collection's replicas are
 * stopped and deleted. It serves the {@link ShardReplica} calls from those replicas. A restarted
 * node resumes every replica from its checkpoint and catches up from the journal.
 *
 * <p><b>Compaction</b> ({@link Compaction}): every {@code interval} a background thread compacts each
 * replica as embedded mode compacts a shard ({@link Compactor}): on its applier thread it purges
 * versions and tombstones deleted more than {@code versionRetention} ago (by this node's wall
 * clock), rewrites the shard when the free fraction of its slots reaches {@code threshold}, and
 * checkpoints; after each replica it pauses as long as that replica took. The journal is not
 * trimmed in cluster mode: a replica placed on a node later is built from the journal's start.
 *
 * <p>Thread-safe. Providers create one per storage node and expose it over their transport
 * (e.g. with {@link io.vecraft.cluster.spi.wire.ShardReplicaServer}).
 */
public final class ReplicaHost implements ShardReplica, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaHost.class);

    /** Checkpoint durations of the replicas this node hosts. */
    private final io.vecraft.core.metrics.OperationStats stats = new io.vecraft.core.metrics.OperationStats();
    private final String nodeId;
    private final Path directory;
    private final JournalService journal;
    private final MetadataStore metadata;
    private final Duration tick;
    private final Duration checkpointInterval;
    private final PartitionLayout layout;
    private final RemoteEntrySource[] sources;
    private final Map<ShardId, Hosted> hosted = new ConcurrentHashMap<>();
    private final Object lifecycle = new Object();
    private final Object hostedChanged = new Object();
    private volatile AutoCloseable watch;
    private volatile boolean closed;
    private final Compaction compaction;
    private final Thread compactor;
    private final Object compactorWake = new Object();
    private final Object compactionRun = new Object();
    private volatile io.vecraft.api.CompactionStats compactionTotals = io.vecraft.api.CompactionStats.none();

    /**
     * Compaction settings of a storage node.
     *
     * @param versionRetention how long superseded versions and tombstones stay readable (as-of reads, history)
     * @param interval         time between background runs; {@link Duration#ZERO} for none ({@link #compact()} only)
     * @param threshold        free fraction of a replica's slots (after the purge) from which it is rewritten, 0 to 1
     */
    public record Compaction(Duration versionRetention, Duration interval, double threshold) {
        /** Validates. */
        public Compaction {
            if (versionRetention == null || versionRetention.isNegative()) {
                throw new InvalidArgumentException("versionRetention", "must be >= 0, was " + versionRetention);
            }
            if (interval == null || interval.isNegative() || (!interval.isZero() && interval.toMillis() < 10)) {
                throw new InvalidArgumentException("interval", "must be 0 (off) or at least 10 ms, was " + interval);
            }
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new InvalidArgumentException("threshold", "must be between 0 and 1, was " + threshold);
            }
        }

        /** @return embedded mode's defaults: 1 hour retention, a run every 10 minutes, rewrite at 30 % free */
        public static Compaction defaults() {
            return new Compaction(VecraftConfig.DEFAULT_VERSION_RETENTION, VecraftConfig.DEFAULT_COMPACTION_INTERVAL,
                    VecraftConfig.DEFAULT_COMPACTION_THRESHOLD);
        }
    }

    /** A replica hosted here. */
    private record Hosted(ShardId id, String collection, CollectionSpec spec, Path dir, ShardRuntime runtime) {
    }

    /**
     * Starts the node: watches the catalog and opens the replicas placed on it.
     *
     * @param nodeId             this node's id (as used in shard placements)
     * @param directory          where its replicas live
     * @param journal            the cluster's journal service
     * @param metadata           the cluster's metadata store
     * @param tick               longest idle wait of an applier between safe-time refreshes
     * @param checkpointInterval time between periodic replica checkpoints
     */
    public ReplicaHost(String nodeId, Path directory, JournalService journal, MetadataStore metadata, Duration tick,
                       Duration checkpointInterval) {
        this(nodeId, directory, journal, metadata, tick, checkpointInterval, Compaction.defaults());
    }

    /**
     * Starts the node: watches the catalog and opens the replicas placed on it.
     *
     * @param nodeId             this node's id (as used in shard placements)
     * @param directory          where its replicas live
     * @param journal            the cluster's journal service
     * @param metadata           the cluster's metadata store
     * @param tick               longest idle wait of an applier between safe-time refreshes
     * @param checkpointInterval time between periodic replica checkpoints
     * @param compaction         compaction of the replicas
     */
    public ReplicaHost(String nodeId, Path directory, JournalService journal, MetadataStore metadata, Duration tick,
                       Duration checkpointInterval, Compaction compaction) {
        this.nodeId = nodeId;
        this.compaction = compaction;
        this.directory = directory;
        this.journal = journal;
        this.metadata = metadata;
        this.tick = tick;
        this.checkpointInterval = checkpointInterval;
        List<String> names = journal.partitions();
        this.layout = new PartitionLayout(names.size() - PartitionLayout.FIRST_DATA_ID);
        this.sources = new RemoteEntrySource[names.size()];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = new RemoteEntrySource(journal, names.get(i), i);
        }
        this.watch = metadata.watch(CatalogKeys.COLLECTIONS, this::onCatalogEvent);
        if (compaction.interval().isZero()) {
            compactor = null;
        } else {
            compactor = new Thread(this::compactionLoop, "vecraft-replica-compactor-" + nodeId);
            compactor.setDaemon(true);
            compactor.start();
        }
    }

    private void compactionLoop() {
        while (!closed) {
            if (!pause(compaction.interval().toNanos())) {
                return;
            }
            try {
                runCompaction(true);
            } catch (VecraftClosedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("node {}: background compaction failed; retrying at the next interval", nodeId, e);
            }
        }
    }

    /** Waits {@code nanos} unless closed meanwhile; returns false if closed. */
    private boolean pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        synchronized (compactorWake) {
            long left;
            while (!closed && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(compactorWake, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return !closed;
    }

    /**
     * Compacts every replica hosted here now, unthrottled (it also runs every
     * {@link Compaction#interval()}); see the class comment.
     *
     * @return what this run did ({@code journalFilesDeleted} is always 0: the journal is the journal nodes')
     */
    public io.vecraft.api.CompactionStats compact() {
        if (closed) {
            throw new VecraftClosedException("storage node " + nodeId);
        }
        return runCompaction(false);
    }

    /** @return totals of every compaction run since this node started */
    public io.vecraft.api.CompactionStats compactionStats() {
        return compactionTotals;
    }

    private io.vecraft.api.CompactionStats runCompaction(boolean throttled) {
        synchronized (compactionRun) {
            long t0 = System.nanoTime();
            long horizon = (System.currentTimeMillis() - compaction.versionRetention().toMillis())
                    << io.vecraft.api.Hlc.LOGICAL_BITS;
            long purged = 0;
            long rewritten = 0;
            long reclaimed = 0;
            for (Hosted h : List.copyOf(hosted.values())) {
                if (closed) {
                    throw new VecraftClosedException("storage node " + nodeId);
                }
                long s0 = System.nanoTime();
                long[] r;
                try {
                    r = h.runtime().runOnApplier(store -> Compactor.compactShard(h.runtime(), store, h.dir(), horizon,
                            compaction.threshold()), System.nanoTime() + TimeUnit.MINUTES.toNanos(10), "compaction");
                } catch (VecraftClosedException e) {
                    continue; // dropped or stopping meanwhile
                }
                purged += r[0];
                rewritten += r[1];
                reclaimed += r[2];
                if (throttled && !pause(System.nanoTime() - s0)) {
                    throw new VecraftClosedException("storage node " + nodeId);
                }
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            io.vecraft.api.CompactionStats run = new io.vecraft.api.CompactionStats(1, purged, rewritten, 0, reclaimed,
                    millis, System.currentTimeMillis());
            compactionTotals = compactionTotals.plus(run);
            LOG.info("node {}: compaction of {} replica(s): {} version(s) purged, {} rewritten ({} bytes reclaimed), {} ms",
                    nodeId, hosted.size(), purged, rewritten, reclaimed, millis);
            return run;
        }
    }

    @Override
    public String node() {
        return nodeId;
    }

    /** @return the shards this node hosts now */
    public List<ShardId> hostedShards() {
        return List.copyOf(hosted.keySet());
    }

    private void onCatalogEvent(MetadataStore.WatchEvent e) {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            String name = e.key().substring(CatalogKeys.COLLECTIONS.length());
            if (e.type() == MetadataStore.WatchEvent.Type.PUT) {
                CatalogKeys.CatalogEntry ce = CatalogKeys.decodeCollection(e.key(), e.value());
                for (int s = 0; s < ce.entry().spec().shards(); s++) {
                    ShardId id = new ShardId(ce.uid(), s);
                    if (hosted.containsKey(id)) {
                        continue;
                    }
                    Optional<MetadataStore.KeyValue> placement = metadata.get(CatalogKeys.placement(id));
                    if (placement.isEmpty()) {
                        LOG.warn("node {}: collection {} has no placement for shard {}; not hosting it", nodeId, name, s);
                        continue;
                    }
                    if (CatalogKeys.decodePlacement(placement.get().key(), placement.get().value()).contains(nodeId)) {
                        open(id, name, ce);
                    }
                }
            } else {
                for (Hosted h : List.copyOf(hosted.values())) {
                    if (h.collection().equals(name)) {
                        hosted.remove(h.id());
                        h.runtime().stop(false);
                        EmbeddedVecraft.deleteRecursively(h.dir());
                        LOG.info("node {}: dropped replica {} of {}", nodeId, h.id(), name);
                    }
                }
            }
        }
    }

    private void open(ShardId id, String name, CatalogKeys.CatalogEntry ce) {
        CollectionSpec spec = ce.entry().spec();
        Path dir = directory.resolve("collections").resolve(name + "-" + Long.toHexString(ce.uid()))
                .resolve("shard-" + id.shard());
        Compactor.recoverDirectory(dir); // a rewrite interrupted between its renames
        Shard store = Shard.open(ShardConfig.builder(dir, spec.dimension(), spec.metric()).withIndex(spec.index())
                .build());
        List<EntrySource> feeds = List.of(sources[layout.dataPartitionFor(ce.uid(), id.shard())],
                sources[PartitionLayout.TX_ID]);
        ShardRuntime rt = new ShardRuntime(nodeId + ":" + name + "/" + id.shard(), ce.uid(), id.shard(), store, feeds,
                ce.entry().startSequences(), tick.toNanos(), checkpointInterval.toNanos(), stats);
        hosted.put(id, new Hosted(id, name, spec, dir, rt));
        synchronized (hostedChanged) {
            hostedChanged.notifyAll();
        }
        LOG.info("node {}: hosting replica {} of {} (applied {})", nodeId, id, name, rt.appliedSequences());
    }

    private Hosted hosted(ShardId shard) {
        if (closed) {
            throw new VecraftClosedException("storage node " + nodeId);
        }
        Hosted h = hosted.get(shard);
        if (h == null) {
            throw new NotFoundException("shard replica", shard + " on " + nodeId);
        }
        return h;
    }

    private ReplicaStatus status(Hosted h) {
        Optional<Throwable> failure = h.runtime().failure();
        return new ReplicaStatus(nodeId, h.id(), h.runtime().safeTime(), h.runtime().appliedSequences(),
                failure.isEmpty(), failure.map(Throwable::toString).orElse(""));
    }

    @Override
    public ReplicaStatus status(ShardId shard) {
        return status(hosted(shard));
    }

    @Override
    public ReplicaStatus awaitSafeTime(ShardId shard, long hlc, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Hosted h = hosted.get(shard);
        // A collection created a moment ago may not be open here yet: wait (bounded) for it.
        synchronized (hostedChanged) {
            while (h == null && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(hostedChanged, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                h = hosted.get(shard);
            }
        }
        if (h == null) {
            h = hosted(shard);
        }
        timeout = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        try {
            h.runtime().awaitSafeTime(hlc, System.nanoTime() + timeout.toNanos(), "replica " + shard + " on " + nodeId);
        } catch (VecraftTimeoutException e) {
            LOG.debug("node {}: replica {} did not reach {} in {}", nodeId, shard, hlc, timeout);
        } catch (VecraftException e) {
            if (h.runtime().failure().isEmpty()) {
                throw e;
            }
        }
        return status(h);
    }

    /**
     * A read at {@code snapshotHlc} needs this replica to have applied everything up to it. A client may
     * pick this replica on a safe time it saw before the node restarted from an older checkpoint: then it
     * waits briefly, and if still behind answers "unavailable", so the client asks another replica.
     */
    private void requireCaughtUp(Hosted h, long snapshotHlc) {
        ShardRuntime rt = h.runtime();
        if (rt.safeTime() >= snapshotHlc) {
            return;
        }
        try {
            rt.awaitSafeTime(snapshotHlc, System.nanoTime() + BEHIND_WAIT_NANOS, "read on replica " + h.id());
        } catch (VecraftTimeoutException e) {
            throw new io.vecraft.cluster.spi.transport.NodeUnavailableException(nodeId, "replica " + h.id()
                    + " is at safe time " + rt.safeTime() + ", behind the read's snapshot " + snapshotHlc
                    + " (catching up after a restart); ask another replica");
        }
    }

    /** How long a read waits for a replica that is behind its snapshot before sending the client elsewhere. */
    private static final long BEHIND_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    @Override
    public List<ReplicaHit> search(ShardId shard, ReplicaQuery q) {
        Hosted h = hosted(shard);
        h.runtime().checkHealthy();
        requireCaughtUp(h, q.snapshotHlc());
        List<ShardHit> hits = h.runtime().search(new ShardSearch(q.vector(), q.k(), q.filter(), q.snapshotHlc(), q.ef(),
                new Include(q.withVector(), q.withMetadata(), q.withDocument())));
        List<ReplicaHit> out = new ArrayList<>(hits.size());
        for (ShardHit x : hits) {
            out.add(new ReplicaHit(x.id(), x.distance(), x.createdHlc(), x.vector(),
                    x.metadata() == null ? Map.of() : x.metadata(), x.document()));
        }
        return out;
    }

    @Override
    public Optional<ReplicaVersion> get(ShardId shard, String id, long snapshotHlc) {
        Hosted h = hosted(shard);
        h.runtime().checkHealthy();
        requireCaughtUp(h, snapshotHlc);
        return h.runtime().get(id, snapshotHlc, Include.ALL).map(ReplicaHost::toReplica);
    }

    @Override
    public long count(ShardId shard, long snapshotHlc) {
        Hosted h = hosted(shard);
        h.runtime().checkHealthy();
        requireCaughtUp(h, snapshotHlc);
        return h.runtime().count(snapshotHlc);
    }

    @Override
    public List<ReplicaVersion> history(ShardId shard, String id) {
        Hosted h = hosted(shard);
        h.runtime().checkHealthy();
        return h.runtime().history(id).stream().map(ReplicaHost::toReplica).toList();
    }

    static ReplicaVersion toReplica(StoredVersion v) {
        return new ReplicaVersion(v.id(), v.op() == StoredVersion.Op.DELETE, v.createdHlc(), v.deletedHlc(),
                v.sequence(), v.partitionId(), v.requestId(), v.transactionId(), v.vector(),
                v.metadata() == null ? Map.of() : v.metadata(), v.document());
    }

    static StoredVersion fromReplica(ReplicaVersion v) {
        return new StoredVersion(v.id(), v.delete() ? StoredVersion.Op.DELETE : StoredVersion.Op.UPSERT, v.createdHlc(),
                v.deletedHlc(), v.sequence(), v.partitionId(), v.requestId(), v.transactionId(), v.vector(),
                v.metadata(), v.document());
    }

    /** Stops watching, checkpoints and closes every replica; idempotent. */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Stops watching and closes every replica; idempotent.
     *
     * @param checkpoint false to skip the final checkpoints, as when a node dies: a restart then
     *                   recovers from older checkpoints and the journal
     */
    public void close(boolean checkpoint) {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        synchronized (compactorWake) {
            compactorWake.notifyAll();
        }
        if (compactor != null && compactor != Thread.currentThread()) {
            try {
                compactor.join(); // it stops after the replica it is compacting, if any
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            watch.close();
        } catch (Exception e) {
            LOG.warn("node {}: closing the catalog watch failed", nodeId, e);
        }
        for (Hosted h : hosted.values()) {
            try {
                h.runtime().stop(checkpoint);
            } catch (RuntimeException e) {
                LOG.error("node {}: closing replica {} failed", nodeId, h.id(), e);
            }
        }
        hosted.clear();
        for (RemoteEntrySource s : sources) {
            s.close();
        }
    }
}
