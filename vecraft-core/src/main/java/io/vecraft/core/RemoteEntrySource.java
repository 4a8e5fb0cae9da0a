package io.vecraft.core;

import io.vecraft.api.VecraftTimeoutException;
import io.vecraft.cluster.spi.EntryMessage;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.ReadBatch;
import io.vecraft.cluster.spi.transport.NodeUnavailableException;
import io.vecraft.journal.JournalEntry;
import io.vecraft.journal.Watermark;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EntrySource} over one partition of a cluster's {@link JournalService}: cursors pull
 * committed entries in batches; a daemon watcher thread long-polls the service for the next
 * committed entry and wakes the listeners (the appliers), so new entries are applied within a
 * round trip instead of a tick. A journal that cannot be reached (leader election or outage) is
 * "nothing available yet" for cursors and watermarks, never an applier failure.
 *
 * <p>Thread-safe; cursors are confined to one thread.
 */
final class RemoteEntrySource implements EntrySource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteEntrySource.class);
    private static final int BATCH = 512;
    private static final Duration WATCH_WAIT = Duration.ofMillis(500);

    private final JournalService journal;
    private final String name;
    private final int id;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong known = new AtomicLong();
    private volatile Thread watcher;
    private volatile boolean closed;

    RemoteEntrySource(JournalService journal, String name, int id) {
        this.journal = journal;
        this.name = name;
        this.id = id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public long firstSequence() {
        return journal.firstSequence(name);
    }

    /**
     * The partition leader's watermark. While no leader answers (an election, or a leader outage
     * longer than the journal client's call timeout) it returns an "unknown" watermark that lets a
     * reader conclude nothing ({@code sequence = Long.MAX_VALUE, hlc = 0}) instead of failing: the
     * applier keeps running and asks again on its next tick.
     */
    @Override
    public Watermark watermark() {
        try {
            io.vecraft.cluster.spi.Watermark w = journal.watermark(name);
            return new Watermark(w.sequence(), w.hlc());
        } catch (NodeUnavailableException | VecraftTimeoutException e) {
            LOG.debug("watermark of {} unavailable ({}); will ask again", name, e.toString());
            return new Watermark(Long.MAX_VALUE, 0);
        }
    }

    @Override
    public long visibleSequence() {
        return known.get();
    }

    /** Asks the partition's leader; if it cannot be reached, what this process has seen. */
    @Override
    public long headSequence() {
        try {
            long head = journal.watermark(name).sequence();
            return Math.max(head, known.get());
        } catch (NodeUnavailableException | VecraftTimeoutException e) {
            return known.get();
        }
    }

    private void sawSequence(long seq) {
        known.accumulateAndGet(seq, Math::max);
    }

    @Override
    public Cursor cursor(long fromSequence) {
        return new PullCursor(Math.max(1, fromSequence));
    }

    @Override
    public Cursor cursorAtHlc(long hlc) {
        // Remote partitions have no HLC index: start at the first entry; readers skip lower HLCs.
        return new PullCursor(Math.max(1, firstSequence()));
    }

    @Override
    public AutoCloseable onVisible(Runnable listener) {
        listeners.add(listener);
        startWatcher();
        return () -> listeners.remove(listener);
    }

    private synchronized void startWatcher() {
        if (watcher != null || closed) {
            return;
        }
        Thread t = new Thread(this::watch, "vecraft-journal-watch-" + name);
        t.setDaemon(true); // only wakes appliers early; they also poll every tick
        watcher = t;
        t.start();
    }

    private void watch() {
        long next = Math.max(1, known.get() + 1);
        while (!closed) {
            try {
                ReadBatch b = journal.read(name, next, 1, WATCH_WAIT);
                if (!b.entries().isEmpty()) {
                    long seq = b.entries().get(0).sequence();
                    sawSequence(seq);
                    next = seq + 1;
                    for (Runnable r : listeners) {
                        r.run();
                    }
                } else {
                    next = Math.max(next, known.get() + 1);
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.debug("journal watch of {} failed ({}); retrying", name, e.toString());
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = watcher;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Pulls committed entries in batches; {@link #next()} returns null when none is committed. */
    private final class PullCursor implements Cursor {
        private final ArrayDeque<EntryMessage> buffer = new ArrayDeque<>();
        private long next;

        PullCursor(long from) {
            this.next = from;
        }

        /** @return the next committed entry, or null if none is available now (or the journal is unreachable) */
        @Override
        public JournalEntry next() {
            if (buffer.isEmpty()) {
                ReadBatch b;
                try {
                    b = journal.read(name, next, BATCH, Duration.ZERO);
                } catch (NodeUnavailableException | VecraftTimeoutException e) {
                    // A leader election or outage: nothing is readable right now; the applier retries.
                    LOG.debug("reading {} from {} failed ({}); will retry", name, next, e.toString());
                    return null;
                }
                buffer.addAll(b.entries());
                if (buffer.isEmpty()) {
                    return null;
                }
            }
            EntryMessage m = buffer.poll();
            next = m.sequence() + 1;
            sawSequence(m.sequence());
            return new JournalEntry(1, m.type(), m.partitionId(), m.sequence(), m.hlc(), m.requestId(),
                    m.transactionId(), m.payload());
        }

        @Override
        public void close() {
            buffer.clear();
        }
    }
}
