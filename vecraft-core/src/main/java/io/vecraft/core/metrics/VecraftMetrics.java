package io.vecraft.core.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vecraft.api.Hlc;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Vecraft;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a database's metrics to a Micrometer {@link MeterRegistry}. Micrometer is an optional
 * dependency of vecraft-core: only applications that call this class need it on the class path.
 *
 * <pre>{@code
 * VecraftMetrics metrics = VecraftMetrics.bind(db, registry);   // ... metrics.close() to unbind
 * }</pre>
 *
 * <p>Meters (tags in braces):
 * <ul>
 *   <li>{@code vecraft.operations} {op}: timer with a percentile histogram per operation: write, transaction,
 *       search, get, count (request latency), checkpoint, compaction (background durations), and any
 *       other operation fed to {@link OperationStats#record(String, long)};</li>
 *   <li>{@code vecraft.operations.errors} {op}: operations that ended with an exception;</li>
 *   <li>{@code vecraft.shard.lag} {collection, shard}: journal lag, the age of the shard's safe time (seconds);</li>
 *   <li>{@code vecraft.shard.applied.entries} / {@code vecraft.shard.applied.operations}
 *       {collection, shard}: journal entries consumed / record operations applied (their rate is the apply rate);</li>
 *   <li>{@code vecraft.shard.records} {collection, shard}: live records;</li>
 *   <li>{@code vecraft.shard.size} {collection, shard, file = vectors|payload|index}: file sizes (bytes);</li>
 *   <li>{@code vecraft.shard.failed} {collection, shard}: 1 if its applier stopped after an error;</li>
 *   <li>{@code vecraft.journal.head} {partition}: last appended sequence;
 *       {@code vecraft.journal.unforced} {partition}: entries appended but not yet forced to disk;
 *       {@code vecraft.journal.failed} {partition}: 1 if the partition refuses writes;</li>
 *   <li>{@code vecraft.journal.size}: bytes of the local journal files (embedded mode).</li>
 * </ul>
 * Per-shard meters follow collections as they are created and dropped.
 *
 * <p>Thread-safe. Gauges read in-memory state of the engine when the registry polls them.
 */
public final class VecraftMetrics implements MeterBinder, AutoCloseable {
    /** Percentiles published with every operation timer (besides its histogram buckets). */
    private static final double[] PERCENTILES = {0.5, 0.95, 0.99};

    private final EngineView engine;
    private final Tags commonTags;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> shardMeters = new HashMap<>();
    private final List<Meter> staticMeters = new ArrayList<>();
    private final List<AutoCloseable> hooks = new ArrayList<>();
    private MeterRegistry registry;
    private boolean closed;

    private VecraftMetrics(EngineView engine, Tags commonTags) {
        this.engine = engine;
        this.commonTags = commonTags;
    }

    /**
     * Creates a binder for {@code db} (call {@link #bindTo(MeterRegistry)} yourself, or use
     * {@link #bind(Vecraft, MeterRegistry)}).
     *
     * @param db   a database opened with vecraft-core
     * @param tags extra tags on every meter (e.g. {@code db=orders}); may be empty
     * @return the binder
     * @throws InvalidArgumentException if {@code db} does not come from vecraft-core
     */
    public static VecraftMetrics of(Vecraft db, Tags tags) {
        if (!(db instanceof EngineView view)) {
            throw new InvalidArgumentException("db", "must be a database opened with vecraft-core, was "
                    + (db == null ? "null" : db.getClass().getName()));
        }
        return new VecraftMetrics(view, tags == null ? Tags.empty() : tags);
    }

    /**
     * Binds {@code db}'s metrics to {@code registry}.
     *
     * @param db       a database opened with vecraft-core
     * @param registry the registry
     * @return the binder; {@link #close()} removes its meters and listeners
     */
    public static VecraftMetrics bind(Vecraft db, MeterRegistry registry) {
        VecraftMetrics m = of(db, Tags.empty());
        m.bindTo(registry);
        return m;
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (registry == null) {
            throw new InvalidArgumentException("registry", "must not be null");
        }
        if (this.registry != null || closed) {
            throw new InvalidArgumentException("registry", "this binder is already bound (bind a new one per registry)");
        }
        this.registry = registry;
        for (String op : OperationStats.KNOWN) {
            timer(op);
        }
        for (String op : engine.operations().snapshot().keySet()) {
            timer(op);
        }
        OperationStats stats = engine.operations();
        hooks.add(stats.addListener((op, nanos, failed) -> timer(op).record(nanos, TimeUnit.NANOSECONDS)));
        for (EngineView.PartitionView p : engine.partitionViews()) {
            Tags t = commonTags.and("partition", p.name());
            int id = p.id();
            staticMeters.add(Gauge.builder("vecraft.journal.head", engine, e -> partition(e, id, true))
                    .tags(t).description("last appended sequence of the journal partition").register(registry));
            staticMeters.add(Gauge.builder("vecraft.journal.unforced", engine, e -> partition(e, id, false))
                    .tags(t).description("entries appended but not yet forced to disk").register(registry));
            staticMeters.add(Gauge.builder("vecraft.journal.failed", engine, e -> partitionFailed(e, id))
                    .tags(t).description("1 if the partition refuses writes until reopen").register(registry));
        }
        staticMeters.add(Gauge.builder("vecraft.journal.size", engine,
                        e -> e.journalBytes().isPresent() ? e.journalBytes().getAsLong() : Double.NaN)
                .tags(commonTags).baseUnit("bytes").description("bytes of the local journal files").register(registry));
        syncShards();
        hooks.add(engine.onCatalogChange(this::syncShards));
    }

    private Timer timer(String op) {
        Timer t = timers.get(op);
        if (t != null) {
            return t;
        }
        return timers.computeIfAbsent(op, o -> {
            Timer timer = Timer.builder("vecraft.operations").tags(commonTags.and("op", o))
                    .description("duration of Vecraft operations").publishPercentileHistogram()
                    .publishPercentiles(PERCENTILES).register(registry);
            FunctionCounter.builder("vecraft.operations.errors", engine.operations(),
                            s -> s.totals(o).errors())
                    .tags(commonTags.and("op", o)).description("operations that ended with an exception")
                    .register(registry);
            return timer;
        });
    }

    /** Adds meters for new shards and removes those of dropped ones. */
    private synchronized void syncShards() {
        if (closed || registry == null) {
            return;
        }
        Map<String, EngineView.ShardView> now = new HashMap<>();
        for (EngineView.ShardView s : engine.shardViews()) {
            now.put(s.collection() + "/" + s.shard(), s);
        }
        for (var it = shardMeters.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!now.containsKey(e.getKey())) {
                e.getValue().forEach(registry::remove);
                it.remove();
            }
        }
        for (EngineView.ShardView s : now.values()) {
            String key = s.collection() + "/" + s.shard();
            if (shardMeters.containsKey(key)) {
                continue;
            }
            Tags t = commonTags.and("collection", s.collection(), "shard", Integer.toString(s.shard()));
            String c = s.collection();
            int i = s.shard();
            List<Meter> meters = new ArrayList<>();
            meters.add(Gauge.builder("vecraft.shard.lag", engine, e -> lagSeconds(e, c, i)).tags(t).baseUnit("seconds")
                    .description("journal lag: how far the shard's safe time is behind the clock").register(registry));
            meters.add(FunctionCounter.builder("vecraft.shard.applied.entries", engine,
                            e -> field(e, c, i, EngineView.ShardView::appliedEntries)).tags(t)
                    .description("journal entries the shard consumed since open").register(registry));
            meters.add(FunctionCounter.builder("vecraft.shard.applied.operations", engine,
                            e -> field(e, c, i, EngineView.ShardView::appliedOps)).tags(t)
                    .description("record operations the shard applied since open").register(registry));
            meters.add(Gauge.builder("vecraft.shard.records", engine, e -> field(e, c, i, EngineView.ShardView::liveRecords))
                    .tags(t).description("live records").register(registry));
            meters.add(Gauge.builder("vecraft.shard.failed", engine, e -> field(e, c, i, v -> v.failed() ? 1 : 0))
                    .tags(t).description("1 if the applier stopped after an error").register(registry));
            meters.add(Gauge.builder("vecraft.shard.size", engine, e -> field(e, c, i, EngineView.ShardView::vectorBytes))
                    .tags(t.and("file", "vectors")).baseUnit("bytes").register(registry));
            meters.add(Gauge.builder("vecraft.shard.size", engine, e -> field(e, c, i, EngineView.ShardView::payloadBytes))
                    .tags(t.and("file", "payload")).baseUnit("bytes").register(registry));
            meters.add(Gauge.builder("vecraft.shard.size", engine, e -> field(e, c, i, EngineView.ShardView::indexBytes))
                    .tags(t.and("file", "index")).baseUnit("bytes").register(registry));
            shardMeters.put(key, meters);
        }
    }

    private static EngineView.ShardView find(EngineView e, String collection, int shard) {
        return e.shardView(collection, shard).orElse(null);
    }

    private static double field(EngineView e, String collection, int shard, ToDoubleFunction<EngineView.ShardView> f) {
        EngineView.ShardView s = find(e, collection, shard);
        if (s == null) {
            return Double.NaN;
        }
        double v = f.applyAsDouble(s);
        return v < 0 ? Double.NaN : v;
    }

    private static double lagSeconds(EngineView e, String collection, int shard) {
        EngineView.ShardView s = find(e, collection, shard);
        if (s == null) {
            return Double.NaN;
        }
        long ms = Hlc.physicalMillis(e.clockNow()) - Hlc.physicalMillis(s.safeTime());
        return Math.max(0, ms) / 1000.0;
    }

    private static double partition(EngineView e, int id, boolean head) {
        for (EngineView.PartitionView p : e.partitionViews()) {
            if (p.id() == id) {
                if (head) {
                    return p.headSequence();
                }
                return p.durableSequence().isPresent() ? Math.max(0, p.headSequence() - p.durableSequence().getAsLong())
                        : Double.NaN;
            }
        }
        return Double.NaN;
    }

    private static double partitionFailed(EngineView e, int id) {
        for (EngineView.PartitionView p : e.partitionViews()) {
            if (p.id() == id) {
                return p.failure().isPresent() ? 1 : 0;
            }
        }
        return Double.NaN;
    }

    /** Removes every meter this binder registered and detaches from the engine; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable h : hooks) {
            try {
                h.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot detach metrics listener", e);
            }
        }
        if (registry != null) {
            staticMeters.forEach(registry::remove);
            shardMeters.values().forEach(l -> l.forEach(registry::remove));
            for (String op : timers.keySet()) {
                registry.find("vecraft.operations.errors").tag("op", op).meters().forEach(registry::remove);
            }
            timers.values().forEach(registry::remove);
        }
    }
}
