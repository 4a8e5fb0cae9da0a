package io.vecraft.core;

import io.vecraft.api.AckLevel;
import io.vecraft.api.AuditLog;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Health;
import io.vecraft.api.Hlc;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.Receipt;
import io.vecraft.api.Transaction;
import io.vecraft.api.Vecraft;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftConfig;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.api.WriteOptions;
import io.vecraft.cluster.spi.wal.OpGroup;
import io.vecraft.cluster.spi.wal.WalCodec;
import io.vecraft.cluster.spi.wal.WalOp;
import io.vecraft.cluster.spi.wal.WalTypes;
import io.vecraft.core.metrics.EngineView;
import io.vecraft.core.metrics.OperationStats;
import io.vecraft.storage.ShardStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What embedded and cluster mode share: the collection registry, the write path (validate ->
 * route -> journal append -> acknowledge), transactions, the query processor and the audit log.
 * Subclasses provide the journal gateway, DDL and lifecycle. Also the monitoring side:
 * {@link OperationStats} of every request, {@link #health()}, and the {@link EngineView} that
 * {@link io.vecraft.core.metrics.VecraftMetrics} reads.
 *
 * <p>Request tracing: a write runs with its request id in the SLF4J MDC ({@link RequestContext#MDC_KEY}).
 *
 * <p>Thread-safe. DDL is serialised by {@link #catalogLock}; writes and reads run concurrently.
 */
abstract class AbstractVecraft implements Vecraft, EngineView {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractVecraft.class);
    protected final VecraftConfig config;
    protected final RequestIds requestIds = new RequestIds();
    protected final Object catalogLock = new Object();
    protected final Map<Long, String> namesByUid = new ConcurrentHashMap<>();
    protected final OperationStats stats = new OperationStats();
    private final List<Runnable> catalogListeners = new CopyOnWriteArrayList<>();

    private final ExecutorService queryPool;
    private final QueryProcessor queries;
    private volatile Map<String, CollectionRuntime> collections = Map.of();
    private volatile boolean closed;

    protected AbstractVecraft(VecraftConfig config) {
        this.config = config;
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        this.queryPool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "vecraft-query-" + n.incrementAndGet());
            t.setDaemon(true); // pure compute on behalf of a waiting caller: losing it loses nothing
            return t;
        });
        this.queries = new QueryProcessor(this, queryPool);
    }

    /** @return the journal this database writes to */
    abstract JournalGateway gateway();

    /** @return the partition layout (system, tx, data partitions) */
    abstract PartitionLayout layout();

    // ------------------------------------------------------------------ registry

    @Override
    public VecraftConfig config() {
        return config;
    }

    /** @throws VecraftClosedException once closing started */
    void checkOpen() {
        if (closed) {
            throw new VecraftClosedException("database " + config.directory());
        }
    }

    /**
     * Marks the database closed (new operations fail).
     *
     * @return false if it was already closed
     */
    protected boolean markClosed() {
        synchronized (catalogLock) {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        }
    }

    protected boolean isClosed() {
        return closed;
    }

    /** @return the running collections by name */
    protected Map<String, CollectionRuntime> collections() {
        return collections;
    }

    /** Replaces the registry (callers hold the catalog lock). */
    protected void publishCollections(Map<String, CollectionRuntime> next) {
        collections = Map.copyOf(new TreeMap<>(next));
        for (Runnable l : catalogListeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.warn("catalog listener failed", e); // monitoring must not break DDL
            }
        }
    }

    protected void publishCollection(CollectionRuntime rt) {
        Map<String, CollectionRuntime> next = new TreeMap<>(collections);
        next.put(rt.name(), rt);
        publishCollections(next);
        namesByUid.put(rt.uid(), rt.name());
    }

    protected void unpublishCollection(String name) {
        Map<String, CollectionRuntime> next = new TreeMap<>(collections);
        next.remove(name);
        publishCollections(next);
    }

    /** Stops the query pool (after the collections are shut down). */
    protected void shutdownQueries() {
        queryPool.shutdownNow();
    }

    /** @return the spec with the default shard count filled in */
    protected CollectionSpec resolve(CollectionSpec spec) {
        if (spec == null) {
            throw new InvalidArgumentException("spec", "must not be null");
        }
        return spec.shards() == 0 ? spec.withShards(config.defaultShards()) : spec;
    }

    /** @return the head of every non-system partition: where a new collection's shards start reading */
    protected Map<Integer, Long> startSequences() {
        Map<Integer, Long> starts = new TreeMap<>();
        for (int p = 0; p < gateway().partitionNames().size(); p++) {
            if (p != PartitionLayout.SYSTEM_ID) {
                starts.put(p, gateway().headSequence(p));
            }
        }
        return starts;
    }

    @Override
    public List<CollectionSpec> listCollections() {
        checkOpen();
        return collections.values().stream().map(CollectionRuntime::spec)
                .sorted(Comparator.comparing(CollectionSpec::name)).toList();
    }

    @Override
    public Collection collection(String name) {
        return findCollection(name).orElseThrow(() -> new NotFoundException("collection", String.valueOf(name)));
    }

    @Override
    public Optional<Collection> findCollection(String name) {
        checkOpen();
        CollectionRuntime rt = name == null ? null : collections.get(name);
        return rt == null ? Optional.empty() : Optional.of(new EmbeddedCollection(this, rt));
    }

    /**
     * @param name collection name
     * @return its runtime
     * @throws NotFoundException if absent
     */
    CollectionRuntime runtime(String name) {
        checkOpen();
        CollectionRuntime rt = name == null ? null : collections.get(name);
        if (rt == null) {
            throw new NotFoundException("collection", String.valueOf(name));
        }
        return rt;
    }

    /** Enters an operation on a collection, with the right error if the database is closing. */
    void enter(CollectionRuntime rt) {
        checkOpen();
        try {
            rt.enter();
        } catch (NotFoundException e) {
            checkOpen();
            throw e;
        }
    }

    QueryProcessor queries() {
        return queries;
    }

    String partitionName(int id) {
        List<String> names = gateway().partitionNames();
        return id >= 0 && id < names.size() ? names.get(id) : "#" + id;
    }

    void awaitShards(ShardHandle[] shards, long hlc, String what) {
        long deadline = System.nanoTime() + config.waitTimeout().toNanos();
        for (ShardHandle s : shards) {
            s.awaitSafeTime(hlc, deadline, what);
        }
    }

    // ------------------------------------------------------------------ writes

    /**
     * Appends the groups as one entry and acknowledges per the options. Callers validated the
     * operations and entered the runtime of every group.
     *
     * @param groups        operations per (collection, shard), in order; at least one
     * @param runtimes      runtime per collection uid in {@code groups}
     * @param transactional true to force the transaction partition (transactions)
     * @param options       request id, session, ack level
     * @return the receipt
     */
    Receipt write(List<OpGroup> groups, Map<Long, CollectionRuntime> runtimes, boolean transactional,
                  WriteOptions options) {
        long t0 = System.nanoTime();
        boolean failed = true;
        String requestId = options.requestId().orElseGet(requestIds::next);
        try (RequestContext ignored = RequestContext.enter(requestId)) {
            Receipt r = writeTraced(groups, runtimes, transactional, options, requestId);
            failed = false;
            return r;
        } finally {
            stats.record(transactional ? OperationStats.TRANSACTION : OperationStats.WRITE, System.nanoTime() - t0,
                    failed);
        }
    }

    private Receipt writeTraced(List<OpGroup> groups, Map<Long, CollectionRuntime> runtimes, boolean transactional,
                                WriteOptions options, String requestId) {
        checkOpen();
        boolean single = groups.size() == 1 && !transactional;
        int partition = single ? layout().dataPartitionFor(groups.get(0).collectionUid(), groups.get(0).shard())
                : PartitionLayout.TX_ID;
        long txId = single ? 0 : gateway().now();
        byte[] payload = WalCodec.encodeGroups(groups);
        if (payload.length > config.maxEntryBytes()) {
            throw new InvalidArgumentException(transactional ? "transaction" : "records",
                    "encoded size " + payload.length + " bytes exceeds maxEntryBytes " + config.maxEntryBytes()
                            + "; split the write");
        }
        JournalGateway.Appended r = gateway().append(partition, single ? WalTypes.WRITE : WalTypes.TRANSACTION,
                requestId, txId, payload);
        Receipt receipt = new Receipt(r.partition(), r.sequence(), r.hlc(), requestId, txId);
        if (LOG.isDebugEnabled()) {
            LOG.debug("write {} appended to {} sequence {} ({} group(s), {} bytes)", requestId, r.partition(),
                    r.sequence(), groups.size(), payload.length);
        }
        options.session().ifPresent(s -> s.observeHlc(r.hlc()));
        if (options.ackLevel().orElse(config.ackLevel()) == AckLevel.APPLIED) {
            // Every shard of every collection the write touches, not only the shards holding its
            // records: a collection-wide read picks T = the minimum safe time of all its shards,
            // so "a write-then-read sees the write even at EVENTUAL" needs all of them past the
            // write's HLC. Untouched shards only refresh their watermarks (cheap).
            long deadline = System.nanoTime() + config.waitTimeout().toNanos();
            for (CollectionRuntime rt : runtimes.values()) {
                for (ShardHandle shard : rt.shards()) {
                    shard.requestRefresh(r.hlc());
                }
            }
            for (CollectionRuntime rt : runtimes.values()) {
                for (ShardHandle shard : rt.shards()) {
                    try {
                        shard.awaitApplied(r.hlc(), deadline, "acknowledging write " + requestId);
                    } catch (VecraftTimeoutException e) {
                        throw new VecraftTimeoutException("write " + requestId + " is durable in the journal (partition "
                                + r.partition() + ", sequence " + r.sequence() + ") but was not applied within "
                                + config.waitTimeout() + ": " + e.getMessage());
                    } catch (VecraftIOException e) {
                        throw new VecraftIOException("write " + requestId + " is durable in the journal (partition "
                                + r.partition() + ", sequence " + r.sequence() + ") but cannot be applied in this "
                                + "process: " + e.getMessage(), e);
                    }
                }
            }
        }
        return receipt;
    }

    @Override
    public Receipt transaction(Consumer<Transaction> body, WriteOptions options) {
        checkOpen();
        if (body == null) {
            throw new InvalidArgumentException("transaction", "body must not be null");
        }
        if (options == null) {
            throw new InvalidArgumentException("options", "must not be null");
        }
        TransactionBuilder tx = new TransactionBuilder(this);
        body.accept(tx);
        return tx.commit(options);
    }

    @Override
    public long now() {
        checkOpen();
        return gateway().now();
    }

    @Override
    public AuditLog journal() {
        checkOpen();
        return new JournalAuditLog(gateway(), namesByUid);
    }

    @Override
    public void checkpoint() {
        checkOpen();
        long deadline = System.nanoTime() + Math.max(config.waitTimeout().toNanos(), TimeUnit.MINUTES.toNanos(10));
        for (CollectionRuntime rt : collections.values()) {
            for (ShardHandle s : rt.shards()) {
                try {
                    s.checkpointNow(deadline);
                } catch (io.vecraft.api.VecraftClosedException e) {
                    if (collections.get(rt.name()) == rt) {
                        throw e; // not a concurrent drop: the shard itself is closed
                    }
                    break; // dropped meanwhile: nothing of it to checkpoint
                }
            }
        }
    }

    // ------------------------------------------------------------------ monitoring

    /**
     * Runs a read and records its duration under {@code op}.
     *
     * @param op   operation name
     * @param read the read
     * @return its result
     */
    <T> T timed(String op, java.util.function.Supplier<T> read) {
        long t0 = System.nanoTime();
        boolean failed = true;
        try {
            T result = read.get();
            failed = false;
            return result;
        } finally {
            stats.record(op, System.nanoTime() - t0, failed);
        }
    }

    @Override
    public OperationStats operations() {
        return stats;
    }

    @Override
    public long clockNow() {
        return gateway().now();
    }

    /** @return the running collections sorted by name */
    private List<CollectionRuntime> sortedCollections() {
        List<CollectionRuntime> list = new ArrayList<>(collections.values());
        list.sort(Comparator.comparing(CollectionRuntime::name));
        return list;
    }

    @Override
    public List<ShardView> shardViews() {
        List<ShardView> out = new ArrayList<>();
        for (CollectionRuntime rt : sortedCollections()) {
            for (int i = 0; i < rt.shards().length; i++) {
                out.add(view(rt, i));
            }
        }
        return List.copyOf(out);
    }

    @Override
    public Optional<ShardView> shardView(String collection, int shard) {
        CollectionRuntime rt = collection == null ? null : collections.get(collection);
        if (rt == null || shard < 0 || shard >= rt.shards().length) {
            return Optional.empty();
        }
        return Optional.of(view(rt, shard));
    }

    private static ShardView view(CollectionRuntime rt, int i) {
        ShardHandle s = rt.shard(i);
        Optional<ShardStats> st = s.localStats();
        return new ShardView(rt.name(), i, s.safeTime(), s.applierFailed(), s.appliedEntries(), s.appliedOperations(),
                st.map(ShardStats::liveRecords).orElse(-1L), st.map(ShardStats::vectorBytes).orElse(-1L),
                st.map(ShardStats::payloadBytes).orElse(-1L), st.map(ShardStats::indexBytes).orElse(-1L));
    }

    @Override
    public List<PartitionView> partitionViews() {
        List<String> names = gateway().partitionNames();
        List<PartitionView> out = new ArrayList<>(names.size());
        for (int p = 0; p < names.size(); p++) {
            EntrySource src = gateway().source(p);
            Throwable failure = src.failure();
            out.add(new PartitionView(p, names.get(p), src.headSequence(), OptionalLong.of(src.durableSequence()),
                    failure == null ? Optional.empty() : Optional.of(String.valueOf(failure))));
        }
        return List.copyOf(out);
    }

    @Override
    public OptionalLong journalBytes() {
        return OptionalLong.empty();
    }

    @Override
    public AutoCloseable onCatalogChange(Runnable listener) {
        catalogListeners.add(listener);
        return () -> catalogListeners.remove(listener);
    }

    @Override
    public Health health() {
        if (closed) {
            return new Health(Health.Status.DOWN, false, false, List.of("database " + config.directory() + " is closed"),
                    List.of());
        }
        List<String> reasons = new ArrayList<>();
        boolean live = true;
        boolean ready = true;
        for (PartitionView p : partitionViews()) {
            if (p.failure().isPresent()) {
                live = false;
                reasons.add("journal partition " + p.name() + " failed (" + p.failure().get()
                        + ") and refuses writes until the database is reopened");
            }
        }
        long now = gateway().now();
        Duration threshold = config.readyLagThreshold();
        List<Health.ShardHealth> shards = new ArrayList<>();
        for (CollectionRuntime rt : sortedCollections()) {
            for (ShardHandle s : rt.shards()) {
                long safe = s.safeTime();
                Duration lag = Duration.ofMillis(Math.max(0, Hlc.physicalMillis(now) - Hlc.physicalMillis(safe)));
                boolean failed = s.applierFailed();
                shards.add(new Health.ShardHealth(s.name(), safe, lag, failed));
                if (failed) {
                    live = false;
                    String why;
                    try {
                        s.checkHealthy();
                        why = "an error";
                    } catch (RuntimeException e) {
                        why = e.getMessage();
                    }
                    reasons.add("shard " + s.name() + " stopped applying: " + why);
                } else if (lag.compareTo(threshold) > 0) {
                    ready = false;
                    reasons.add("shard " + s.name() + " is replaying the journal: its safe time lags " + lag.toMillis()
                            + " ms behind the clock (ready threshold " + threshold.toMillis() + " ms)");
                }
            }
        }
        ready &= live;
        Health.Status status = !live ? Health.Status.DOWN : ready ? Health.Status.UP : Health.Status.DEGRADED;
        return new Health(status, live, ready, reasons, shards);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + config.directory() + "]";
    }

    /** Groups operations per (collection uid, shard), preserving first-seen group order. */
    static List<OpGroup> group(List<long[]> keys, List<WalOp> ops) {
        Map<Long, Map<Integer, List<WalOp>>> byUid = new LinkedHashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            long[] k = keys.get(i);
            byUid.computeIfAbsent(k[0], u -> new LinkedHashMap<>())
                    .computeIfAbsent((int) k[1], s -> new ArrayList<>()).add(ops.get(i));
        }
        List<OpGroup> groups = new ArrayList<>();
        for (Map.Entry<Long, Map<Integer, List<WalOp>>> u : byUid.entrySet()) {
            for (Map.Entry<Integer, List<WalOp>> s : u.getValue().entrySet()) {
                groups.add(new OpGroup(u.getKey(), s.getKey(), List.copyOf(s.getValue())));
            }
        }
        return groups;
    }

    /** @return runtime by uid for the given runtimes */
    static Map<Long, CollectionRuntime> byUid(java.util.Collection<CollectionRuntime> runtimes) {
        Map<Long, CollectionRuntime> m = new HashMap<>();
        for (CollectionRuntime rt : runtimes) {
            m.put(rt.uid(), rt);
        }
        return m;
    }
}
