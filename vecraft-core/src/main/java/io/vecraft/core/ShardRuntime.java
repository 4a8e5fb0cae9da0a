package io.vecraft.core;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.cluster.spi.wal.WalCodec;
import io.vecraft.cluster.spi.wal.WalOp;
import io.vecraft.cluster.spi.wal.WalTypes;
import io.vecraft.core.metrics.OperationStats;
import io.vecraft.journal.JournalEntry;
import io.vecraft.journal.Watermark;
import io.vecraft.storage.Include;
import io.vecraft.storage.OpStamp;
import io.vecraft.storage.Shard;
import io.vecraft.storage.ShardHit;
import io.vecraft.storage.ShardSearch;
import io.vecraft.storage.ShardStats;
import io.vecraft.storage.StoredVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One shard at run time: its {@link Shard} store and the applier thread that tails the journal
 * partitions feeding it (its data partition and the transaction partition) and applies their
 * entries in the journal's total order (HLC, partition, sequence).
 *
 * <p><b>Safe time.</b> For each fed partition the applier knows an HLC up to which it has
 * consumed every entry of that partition: the HLC of the last consumed entry, or, once it has
 * consumed everything up to a {@link EntrySource#watermark() watermark}, the watermark's
 * HLC (a fresh clock reading: this is the in-process heartbeat that moves safe time on an idle
 * partition without writing anything). The shard's safe time is the minimum over its partitions;
 * every entry with a smaller or equal HLC has been applied, so a snapshot read at T &lt;= safe
 * time is complete and, because of MVCC, unaffected by later entries. Journal ticks (in a
 * replicated journal) move it the same way as entries.
 *
 * <p><b>Merge.</b> An entry from partition p with HLC h is applied only when every other fed
 * partition is known complete up to h (its next entry is later, or a watermark covers h); so
 * entries of one shard are applied in HLC order whatever partition carried them.
 *
 * <p>Threading: the applier thread is the shard's single writer (it also checkpoints). Read
 * methods ({@link #safeTime()}, {@link #awaitSafeTime}, {@link #store()}) are thread-safe.
 */
final class ShardRuntime implements ShardHandle, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardRuntime.class);
    private static final int PUBLISH_EVERY = 64;

    private final String name;
    private final long collectionUid;
    private final int shardIndex;
    /** Swapped (under {@link #runOnApplier}) when the compactor rewrites the shard; readers retry on the new one. */
    private volatile Shard store;
    private final java.util.concurrent.ConcurrentLinkedQueue<Task> tasks =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Feed[] feeds;
    private final long tickNanos;
    private final long checkpointIntervalNanos;
    private final Thread thread;
    private final Object monitor = new Object();
    private final List<AutoCloseable> listeners = new ArrayList<>();
    private final OperationStats stats;
    /** Entries consumed / record operations applied since open; written by the applier only. */
    private volatile long appliedEntries;
    private volatile long appliedOps;

    private volatile long safeHlc;
    private volatile long refreshWanted;
    private volatile int waiters;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile CompletableFuture<Void> checkpointRequest;
    private volatile boolean closed;
    /** When set, the applier applies nothing: simulates a lagging replica (tests, fault injection). */
    private volatile boolean paused;
    /** Set by the applier once it is parked in its paused state ({@link #pauseApplying} waits for it). */
    private volatile boolean pausedSeen;

    private long lastCheckpointNanos = System.nanoTime();
    private boolean dirtySinceCheckpoint;

    /**
     * @param name                    e.g. {@code docs/0}, for thread names and messages
     * @param collectionUid           the collection's uid
     * @param shardIndex              the shard index
     * @param store                   the opened store (restored from its checkpoint)
     * @param sources                 journal partitions feeding the shard
     * @param startSequences          per partition id, the sequence already consumed when the store has no position
     * @param tickNanos               longest idle park between safe-time refreshes
     * @param checkpointIntervalNanos time between periodic checkpoints
     * @param stats                   where checkpoint durations are recorded
     */
    ShardRuntime(String name, long collectionUid, int shardIndex, Shard store, List<EntrySource> sources,
                 Map<Integer, Long> startSequences, long tickNanos, long checkpointIntervalNanos,
                 OperationStats stats) {
        this.name = name;
        this.stats = stats;
        this.collectionUid = collectionUid;
        this.shardIndex = shardIndex;
        this.store = store;
        this.tickNanos = tickNanos;
        this.checkpointIntervalNanos = checkpointIntervalNanos;
        Map<Integer, Long> applied = store.appliedSequences();
        this.feeds = new Feed[sources.size()];
        for (int i = 0; i < feeds.length; i++) {
            EntrySource p = sources.get(i);
            long start = applied.getOrDefault(p.id(), startSequences.getOrDefault(p.id(), 0L));
            if (start > p.headSequence()) {
                // The shard (or the collection's creation) covers entries the journal no longer has:
                // new writes would reuse those sequences and the shard would skip them. Refuse.
                throw new CorruptedDataException(p.name(), p.headSequence() + 1, "shard " + name
                        + " has applied journal partition " + p.name() + " up to sequence " + start
                        + " but the journal ends at sequence " + p.headSequence()
                        + ": the journal lost entries that were already applied (truncated or damaged journal files)");
            }
            if (start < p.firstSequence() - 1) {
                // The entries after the shard's checkpoint were deleted from the journal: replaying from the
                // first entry left would skip them silently. Refuse.
                throw new CorruptedDataException(p.name(), start + 1, "shard " + name + " has applied journal partition "
                        + p.name() + " up to sequence " + start + " but the journal starts at sequence "
                        + p.firstSequence() + ": entries " + (start + 1) + " to " + (p.firstSequence() - 1)
                        + " are gone (journal files deleted past the shard's checkpoint)");
            }
            feeds[i] = new Feed(p, start);
        }
        this.thread = new Thread(this::run, "vecraft-applier-" + name);
        this.thread.setDaemon(false);
        for (Feed f : feeds) {
            listeners.add(f.partition.onVisible(this::wake));
        }
        this.thread.start();
    }

    @Override
    public String name() {
        return name;
    }

    int shardIndex() {
        return shardIndex;
    }

    /** @return the store; reads are thread-safe, writes belong to the applier */
    Shard store() {
        return store;
    }

    /** @return the HLC up to which every entry for this shard has been applied */
    @Override
    public long safeTime() {
        return safeHlc;
    }

    /** @return the sequence applied per partition, for tests and metrics */
    long appliedSequence(int partitionId) {
        for (Feed f : feeds) {
            if (f.partition.id() == partitionId) {
                return f.consumedSeq;
            }
        }
        return 0;
    }

    /** @return applied sequence per partition id */
    Map<Integer, Long> appliedSequences() {
        Map<Integer, Long> m = new TreeMap<>();
        for (Feed f : feeds) {
            m.put(f.partition.id(), f.consumedSeq);
        }
        return m;
    }

    /** @return the failure that stopped the applier, if any */
    Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public boolean applierFailed() {
        return failure != null;
    }

    @Override
    public long appliedEntries() {
        return appliedEntries;
    }

    @Override
    public long appliedOperations() {
        return appliedOps;
    }

    @Override
    public Optional<ShardStats> localStats() {
        if (closed) {
            return Optional.empty();
        }
        try {
            return Optional.of(store.stats());
        } catch (RuntimeException e) {
            return Optional.empty(); // closed concurrently (drop, close): no stats to report
        }
    }

    /**
     * Checks that the shard can serve reads.
     *
     * @throws VecraftException if the applier failed
     */
    @Override
    public void checkHealthy() {
        Throwable t = failure;
        if (t instanceof CorruptedDataException c) {
            // keep the type, file and position: callers (and open) must see the damage for what it is
            throw new CorruptedDataException(c.location(), c.position(), "shard " + name
                    + " stopped applying: " + c.getMessage(), c);
        }
        if (t != null) {
            throw new VecraftException("shard " + name + " stopped applying after an error: " + t.getMessage(), t);
        }
        if (closed) {
            throw new VecraftClosedException("shard " + name);
        }
    }

    /**
     * @throws VecraftClosedException if the shard was stopped
     */
    @Override
    public void checkCanRead() {
        checkNotClosed();
    }

    /**
     * @throws VecraftClosedException if the shard was stopped
     */
    void checkNotClosed() {
        if (closed) {
            throw new VecraftClosedException("shard " + name);
        }
    }

    /**
     * Waits until {@link #safeTime()} reaches {@code hlc}, asking the applier to refresh its
     * watermarks (so it completes on idle partitions too).
     *
     * @param hlc           the HLC to wait for
     * @param deadlineNanos {@link System#nanoTime()} deadline
     * @param what          description for the timeout message
     * @throws VecraftTimeoutException if the deadline passes
     */
    @Override
    public void awaitSafeTime(long hlc, long deadlineNanos, String what) {
        if (safeHlc >= hlc) {
            return;
        }
        requestRefresh(hlc);
        synchronized (monitor) {
            waiters++;
            try {
                while (safeHlc < hlc) {
                    checkHealthy();
                    checkFeeds();
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        throw new VecraftTimeoutException(what + ": shard " + name + " safe time "
                                + safeHlc + " did not reach " + hlc + " in time (applier lag)");
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(monitor, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new VecraftException("interrupted while waiting for shard " + name, e);
                    }
                }
            } finally {
                waiters--;
            }
        }
    }

    /**
     * A journal partition that failed (fsync error, full disk) holds entries that will not become
     * visible in this process, so safe time cannot pass them: fail the wait now instead of at its
     * timeout. Reads at or below the current safe time are not affected.
     */
    private void checkFeeds() {
        for (Feed f : feeds) {
            Throwable t = f.partition.failure();
            if (t != null) {
                throw new VecraftIOException("shard " + name + " cannot catch up: journal partition "
                        + f.partition.name() + " failed (" + t + ") and refuses writes until the database is "
                        + "reopened; data applied before the failure stays readable (EVENTUAL)", t);
            }
        }
    }

    /**
     * Asks the applier to move safe time to at least {@code hlc} as soon as it can.
     *
     * @param hlc the wanted HLC
     */
    @Override
    public void requestRefresh(long hlc) {
        long cur = refreshWanted;
        while (hlc > cur) {
            refreshWanted = hlc; // benign race: the applier refreshes to "now", covering any request
            cur = hlc;
        }
        wake();
    }

    /**
     * Asks the applier thread to checkpoint now and waits for it.
     *
     * @param deadlineNanos deadline
     */
    @Override
    public void checkpointNow(long deadlineNanos) {
        checkHealthy();
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (this) {
            CompletableFuture<Void> pending = checkpointRequest;
            if (pending != null) {
                f = pending;
            } else {
                checkpointRequest = f;
            }
        }
        wake();
        try {
            f.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new VecraftTimeoutException("checkpoint of shard " + name + " did not finish in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecraftException("interrupted while checkpointing shard " + name, e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof VecraftClosedException closedMeanwhile) {
                throw closedMeanwhile;
            }
            throw new VecraftException("checkpoint of shard " + name + " failed: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /** @return whether a {@link #checkpointNow} request is waiting for the applier (tests) */
    synchronized boolean checkpointRequested() {
        return checkpointRequest != null;
    }

    @Override
    public void awaitApplied(long hlc, long deadlineNanos, String what) {
        awaitSafeTime(hlc, deadlineNanos, what);
    }

    @Override
    public List<ShardHit> search(ShardSearch request) {
        return read(s -> s.search(request));
    }

    @Override
    public Optional<StoredVersion> get(String id, long asOfHlc, Include include) {
        return read(s -> s.get(id, asOfHlc, include));
    }

    @Override
    public long count(long asOfHlc) {
        return read(s -> s.count(asOfHlc));
    }

    @Override
    public List<StoredVersion> history(String id) {
        return read(s -> s.history(id));
    }

    /**
     * Runs a read on the current store; if the compactor swapped the store and closed the old one
     * while the read started on it, the read is repeated on the new store (reads have no side effects).
     */
    private <T> T read(java.util.function.Function<Shard, T> f) {
        while (true) {
            Shard s = store;
            try {
                return f.apply(s);
            } catch (VecraftClosedException e) {
                if (s == store || closed) {
                    throw e;
                }
            }
        }
    }

    /**
     * Runs {@code task} on the applier thread (the store's single writer) between two entries and
     * waits for its result. While it runs the shard applies nothing; reads go on.
     *
     * @param task          the work; it may replace the store through {@link #swapStore}
     * @param deadlineNanos {@link System#nanoTime()} deadline
     * @param what          description for messages
     * @param <T>           result type
     * @return the task's result
     */
    <T> T runOnApplier(java.util.function.Function<Shard, T> task, long deadlineNanos, String what) {
        checkHealthy();
        CompletableFuture<T> f = new CompletableFuture<>();
        // 0 queued, 1 running, 2 given up by the caller: a task the caller no longer waits for must not run
        // later (the caller's locks, e.g. the maintenance lock of a compaction, are released by then)
        java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger();
        tasks.add(new Task(() -> {
            if (!state.compareAndSet(0, 1)) {
                return;
            }
            try {
                f.complete(task.apply(store));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        }, f::completeExceptionally));
        wake();
        if (closed || failure != null || !thread.isAlive()) {
            failTasks(failure != null ? failure : new VecraftClosedException("shard " + name));
        }
        try {
            try {
                return f.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (state.compareAndSet(0, 2)) {
                    throw new VecraftTimeoutException(what + " on shard " + name + " did not start in time (the "
                            + "applier is busy or paused); it will not run");
                }
                LOG.warn("{} on shard {} is past its deadline but already running; waiting for it to finish", what,
                        name);
                return f.get(); // running: it ends on its own, and must not outlive the caller
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecraftException("interrupted during " + what + " on shard " + name, e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new VecraftException(what + " on shard " + name + " failed: " + c, c);
        }
    }

    /**
     * Replaces the store (applier thread only, from a {@link #runOnApplier} task): readers move to
     * the new one at once; the caller closes the old one, which waits for reads still inside it.
     *
     * @param next the new store, at the same applied sequences
     * @return the previous store
     */
    Shard swapStore(Shard next) {
        assert Thread.currentThread() == thread;
        Shard old = store;
        store = next;
        return old;
    }

    /** Checkpoints on the applier thread; only from a {@link #runOnApplier} task. */
    void checkpointFromTask() {
        assert Thread.currentThread() == thread;
        checkpointOnThisThread();
    }

    private void runTasks() {
        Task t;
        while ((t = tasks.poll()) != null) {
            t.run().run();
        }
    }

    private void failTasks(Throwable cause) {
        Task t;
        while ((t = tasks.poll()) != null) {
            t.fail().accept(cause);
        }
    }

    /** A unit of work for the applier thread and how to fail it. */
    private record Task(Runnable run, java.util.function.Consumer<Throwable> fail) {
    }

    /**
     * Stops or resumes applying, simulating a replica that lags behind the journal. Reads that
     * need newer data wait (bounded) while it is paused; writes acknowledged APPLIED time out.
     *
     * @param pause true to pause, false to resume
     */
    void pauseApplying(boolean pause) {
        pausedSeen = false;
        paused = pause;
        wake();
        if (pause) {
            // Return only once the applier is parked in its paused state: a pass already under way could still
            // apply (and move safe time past) entries appended after this call.
            synchronized (monitor) {
                while (!pausedSeen && thread.isAlive() && running) {
                    try {
                        monitor.wait(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    private void wake() {
        LockSupport.unpark(thread);
    }

    // ------------------------------------------------------------------ applier thread

    private void run() {
        try {
            for (Feed f : feeds) {
                f.open();
            }
            while (running) {
                if (paused) {
                    if (!pausedSeen) {
                        synchronized (monitor) {
                            pausedSeen = true;
                            monitor.notifyAll();
                        }
                    }
                    runTasks(); // paused (tests): applies nothing new, still runs tasks such as compaction
                    LockSupport.parkNanos(this, tickNanos);
                    continue;
                }
                boolean worked = applyAvailable();
                long wanted = refreshWanted;
                boolean moved = false;
                if (worked || wanted > safeHlc) {
                    moved = refreshIdleFeeds();
                    publish();
                }
                maybeCheckpoint();
                runTasks();
                // A wanted time the refresh cannot reach now (an AS_OF time in the future, entries appended but
                // not yet forced, a failed partition) must not make this loop spin: without progress it parks
                // like an idle pass; visibility of new entries and new requests wake it.
                if (!worked && running && (refreshWanted <= safeHlc || !moved) && checkpointRequest == null
                        && tasks.isEmpty()) {
                    LockSupport.parkNanos(this, tickNanos);
                    if (!anyVisible()) {
                        // periodic heartbeat: keep safe time close to "now" on idle partitions
                        refreshIdleFeeds();
                        publish();
                    }
                }
            }
            // drain what is visible before stopping, so close() loses nothing acknowledged
            applyAvailable();
            refreshIdleFeeds();
            publish();
        } catch (Throwable t) {
            failure = t;
            failTasks(t);
            LOG.error("applier of shard {} stopped: {}", name, t.toString(), t);
            CompletableFuture<Void> f = checkpointRequest;
            if (f != null) {
                f.completeExceptionally(t);
            }
        } finally {
            for (Feed f : feeds) {
                f.close();
            }
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    private boolean anyVisible() {
        for (Feed f : feeds) {
            if (f.peeked != null || f.partition.visibleSequence() > f.consumedSeq) {
                return true;
            }
        }
        return false;
    }

    /** Applies every entry that is visible and safe to apply; returns whether any was. */
    private boolean applyAvailable() {
        boolean worked = false;
        int sincePublish = 0;
        while (true) {
            Feed next = null;
            for (Feed f : feeds) {
                f.peek();
                if (f.peeked != null && (next == null || before(f, next))) {
                    next = f;
                }
            }
            if (next == null) {
                return worked;
            }
            int verdict = othersComplete(next);
            if (verdict == BLOCKED) {
                return worked;
            }
            if (verdict == RESELECT) {
                continue;
            }
            apply(next);
            worked = true;
            if (++sincePublish >= PUBLISH_EVERY) {
                publish();
                sincePublish = 0;
            }
        }
    }

    private static final int READY = 0;
    private static final int BLOCKED = 1;
    private static final int RESELECT = 2;

    private static boolean before(Feed a, Feed b) {
        if (a.peeked.hlc() != b.peeked.hlc()) {
            return a.peeked.hlc() < b.peeked.hlc();
        }
        return a.partition.id() < b.partition.id();
    }

    /**
     * Whether every feed other than {@code next} is complete up to next's HLC: {@link #READY};
     * {@link #BLOCKED} when another feed has an entry appended but not yet visible that may come
     * first; {@link #RESELECT} when refreshing found an entry that goes first.
     */
    private int othersComplete(Feed next) {
        long h = next.peeked.hlc();
        for (Feed g : feeds) {
            if (g == next || g.peeked != null || g.completeHlc >= h) {
                continue;
            }
            g.refresh();
            if (g.peeked != null) {
                if (before(g, next)) {
                    return RESELECT;
                }
                continue;
            }
            if (g.completeHlc < h) {
                return BLOCKED;
            }
        }
        return READY;
    }

    private void apply(Feed f) {
        JournalEntry e = f.peeked;
        f.peeked = null;
        int type = e.type();
        if (type == WalTypes.WRITE || type == WalTypes.TRANSACTION) {
            List<WalOp> ops = WalCodec.decodeForShard(e.payload(), collectionUid, shardIndex,
                    f.partition.name(), e.sequence());
            if (!ops.isEmpty()) {
                OpStamp stamp = new OpStamp(e.hlc(), e.sequence(), e.partitionId(), e.requestId(),
                        e.transactionId());
                // request tracing: log lines written while applying this entry carry its request id
                boolean traced = e.requestId() != null && !e.requestId().isEmpty();
                if (traced) {
                    MDC.put(RequestContext.MDC_KEY, e.requestId());
                }
                try {
                    for (WalOp op : ops) {
                        if (op instanceof WalOp.Upsert u) {
                            store.upsert(u.id(), u.vector(), u.metadata(), u.document(), stamp);
                        } else {
                            store.delete(op.id(), stamp);
                        }
                    }
                    if (LOG.isDebugEnabled()) {
                        LOG.debug("shard {} applied {} operation(s) of {} sequence {}", name, ops.size(),
                                f.partition.name(), e.sequence());
                    }
                } finally {
                    if (traced) {
                        MDC.remove(RequestContext.MDC_KEY);
                    }
                }
                appliedOps += ops.size();
                dirtySinceCheckpoint = true;
            }
        } else if (!e.isTick() && type != WalTypes.CREATE_COLLECTION && type != WalTypes.DROP_COLLECTION) {
            throw new CorruptedDataException(f.partition.name(), e.sequence(),
                    "unknown entry type " + type + " for a data shard");
        }
        f.consumedSeq = e.sequence();
        appliedEntries++;
        f.completeHlc = Math.max(f.completeHlc, e.hlc());
        store.markApplied(f.partition.id(), e.sequence());
    }

    /**
     * @return whether an entry may now be applied: a feed found a new entry, or a feed's complete HLC
     *     moved while another feed holds an entry waiting for it (the clock alone moving idle feeds'
     *     complete HLC forward is no such progress)
     */
    private boolean refreshIdleFeeds() {
        boolean newEntry = false;
        boolean advanced = false;
        boolean waiting = false;
        for (Feed f : feeds) {
            if (f.peeked == null) {
                long before = f.completeHlc;
                f.refresh();
                newEntry |= f.peeked != null;
                advanced |= f.completeHlc > before;
            } else {
                waiting = true;
            }
        }
        return newEntry || (advanced && waiting);
    }

    private void publish() {
        long min = Long.MAX_VALUE;
        for (Feed f : feeds) {
            min = Math.min(min, f.completeHlc);
        }
        if (min > safeHlc) {
            safeHlc = min;
            if (waiters > 0) {
                synchronized (monitor) {
                    monitor.notifyAll();
                }
            }
        }
    }

    private void maybeCheckpoint() {
        CompletableFuture<Void> request = checkpointRequest;
        boolean due = dirtySinceCheckpoint && System.nanoTime() - lastCheckpointNanos >= checkpointIntervalNanos;
        if (request == null && !due) {
            return;
        }
        try {
            checkpointOnThisThread();
            if (request != null) {
                request.complete(null);
            }
        } catch (RuntimeException e) {
            if (request != null) {
                request.completeExceptionally(e);
            }
            throw e;
        } finally {
            if (request != null) {
                synchronized (this) {
                    checkpointRequest = null;
                }
            }
        }
    }

    private void checkpointOnThisThread() {
        long t0 = System.nanoTime();
        // Write-ahead rule: a checkpoint must never hold the effect of a journal entry that a power
        // loss could still take back (BATCH and ASYNC appliers see entries before they are forced).
        // Otherwise, after the loss, the journal would hand out those sequences again for new writes
        // and the shard, believing them applied, would skip them.
        for (Feed f : feeds) {
            if (f.partition.durableSequence() < f.consumedSeq) {
                f.partition.flush();
            }
        }
        var info = store.checkpoint();
        lastCheckpointNanos = System.nanoTime();
        dirtySinceCheckpoint = false;
        stats.record(OperationStats.CHECKPOINT, lastCheckpointNanos - t0);
        LOG.debug("checkpoint of shard {} at {} took {} ms", name, info.appliedSequences(),
                (lastCheckpointNanos - t0) / 1_000_000);
    }

    /**
     * Stops the applier after it has applied every visible entry, then (unless it failed or
     * {@code checkpoint} is false) checkpoints and closes the store. Idempotent.
     *
     * @param checkpoint whether to checkpoint before closing
     */
    @Override
    public void stop(boolean checkpoint) {
        if (closed) {
            return;
        }
        running = false;
        wake();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        closed = true;
        failTasks(new VecraftClosedException("shard " + name));
        for (AutoCloseable l : listeners) {
            try {
                l.close();
            } catch (Exception e) {
                LOG.warn("could not unregister listener of shard {}", name, e);
            }
        }
        // A checkpoint asked for just before the applier stopped: the final checkpoint answers it, or it fails
        // at once instead of leaving the caller waiting for its deadline.
        CompletableFuture<Void> asked;
        synchronized (this) {
            asked = checkpointRequest;
            checkpointRequest = null;
        }
        try {
            if (checkpoint && failure == null) {
                checkpointOnThisThread();
                if (asked != null) {
                    asked.complete(null);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("checkpoint on close of shard {} failed; the journal still has everything", name, e);
            if (asked != null) {
                asked.completeExceptionally(e);
            }
        } finally {
            if (asked != null) {
                asked.completeExceptionally(new VecraftClosedException("shard " + name));
            }
            store.close();
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the applier and closes the store with a checkpoint. */
    @Override
    public void close() {
        stop(true);
    }

    /** Per-partition cursor state; confined to the applier thread (except immutable fields). */
    private static final class Feed {
        final EntrySource partition;
        EntrySource.Cursor tailer;
        JournalEntry peeked;
        /** Every entry with sequence <= consumedSeq has been applied or skipped. */
        volatile long consumedSeq;
        /** Every entry of this partition with HLC <= completeHlc has been consumed. */
        long completeHlc;

        Feed(EntrySource partition, long consumedSeq) {
            this.partition = partition;
            this.consumedSeq = consumedSeq;
        }

        void open() {
            tailer = partition.cursor(consumedSeq + 1);
        }

        void peek() {
            if (peeked == null) {
                peeked = tailer.next();
            }
        }

        /** Takes a watermark; if everything up to it is consumed, completeHlc moves to it. */
        void refresh() {
            Watermark w = partition.watermark();
            if (consumedSeq >= w.sequence()) {
                completeHlc = Math.max(completeHlc, w.hlc());
            } else {
                peek();
            }
        }

        void close() {
            if (tailer != null) {
                tailer.close();
            }
        }
    }
}
