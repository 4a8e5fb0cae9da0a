package io.vecraft.core.metrics;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's own, always-on operation counters: per operation name ({@link #WRITE},
 * {@link #SEARCH}, {@link #CHECKPOINT}, ...) a count, an error count, the total and the largest
 * duration. Recording is a few {@link LongAdder} increments (no allocation once an operation name
 * has been seen); it needs no metrics library.
 *
 * <p>Latency histograms need every sample, so a metrics binder ({@link VecraftMetrics}) attaches a
 * {@link Listener} that receives each sample as it is recorded; with no listener attached nothing
 * else happens.
 *
 * <p>Components outside the engine's request path (e.g. the compactor) feed their durations with
 * {@link #record(String, long)} under their own operation name; they then show up in
 * {@link #snapshot()} and in every bound registry.
 *
 * <p>Thread-safe: any thread may record; listeners are called on the recording thread.
 */
public final class OperationStats {
    /** A write: upsert or delete of one or many records (validation, journal append, acknowledgement). */
    public static final String WRITE = "write";
    /** A transaction commit. */
    public static final String TRANSACTION = "transaction";
    /** A nearest-neighbour search. */
    public static final String SEARCH = "search";
    /** A get by id. */
    public static final String GET = "get";
    /** A count. */
    public static final String COUNT = "count";
    /** A shard checkpoint (periodic, requested or on close). */
    public static final String CHECKPOINT = "checkpoint";
    /** A compaction run (fed by the compactor). */
    public static final String COMPACTION = "compaction";
    /** The operation names every binder registers up front (others appear when first recorded). */
    public static final List<String> KNOWN = List.of(WRITE, TRANSACTION, SEARCH, GET, COUNT, CHECKPOINT, COMPACTION);

    private final Map<String, Op> ops = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** Creates empty stats with the {@link #KNOWN} operations present (at zero). */
    public OperationStats() {
        for (String name : KNOWN) {
            op(name);
        }
    }

    /**
     * Receives every recorded sample; must be fast and must not throw.
     */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param operation operation name
         * @param nanos     its duration in nanoseconds
         * @param failed    whether it ended with an exception
         */
        void onSample(String operation, long nanos, boolean failed);
    }

    /**
     * Totals of one operation.
     *
     * @param count      samples recorded (successful and failed)
     * @param errors     samples that ended with an exception
     * @param totalNanos sum of their durations
     * @param maxNanos   the longest duration, 0 if none
     */
    public record Totals(long count, long errors, long totalNanos, long maxNanos) {
    }

    /**
     * Records one successful operation.
     *
     * @param operation operation name (e.g. {@link #COMPACTION}); non-empty
     * @param nanos     duration in nanoseconds (negative values count as 0)
     */
    public void record(String operation, long nanos) {
        op(operation).record(nanos, false);
    }

    /**
     * Records one operation.
     *
     * @param operation operation name
     * @param nanos     duration in nanoseconds
     * @param failed    whether it ended with an exception
     */
    public void record(String operation, long nanos, boolean failed) {
        op(operation).record(nanos, failed);
    }

    /**
     * @param operation operation name
     * @return its totals now (zeros if never recorded)
     */
    public Totals totals(String operation) {
        Op op = ops.get(operation);
        return op == null ? new Totals(0, 0, 0, 0) : op.totals();
    }

    /** @return totals of every operation seen, by name */
    public Map<String, Totals> snapshot() {
        Map<String, Totals> m = new TreeMap<>();
        ops.forEach((k, v) -> m.put(k, v.totals()));
        return m;
    }

    /**
     * @param listener receives every sample from now on
     * @return a handle that detaches it; idempotent
     */
    public AutoCloseable addListener(Listener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private Op op(String operation) {
        if (operation == null || operation.isEmpty()) {
            throw new io.vecraft.api.InvalidArgumentException("operation", "must be a non-empty name");
        }
        Op op = ops.get(operation);
        return op != null ? op : ops.computeIfAbsent(operation, Op::new);
    }

    private final class Op {
        final String name;
        final LongAdder count = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder total = new LongAdder();
        final LongAccumulator max = new LongAccumulator(Math::max, 0);

        Op(String name) {
            this.name = name;
        }

        void record(long nanos, boolean failed) {
            long n = Math.max(0, nanos);
            count.increment();
            if (failed) {
                errors.increment();
            }
            total.add(n);
            max.accumulate(n);
            for (Listener l : listeners) {
                l.onSample(name, n, failed);
            }
        }

        Totals totals() {
            return new Totals(count.sum(), errors.sum(), total.sum(), max.get());
        }
    }
}
