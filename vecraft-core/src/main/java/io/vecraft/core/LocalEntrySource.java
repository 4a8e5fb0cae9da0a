package io.vecraft.core;

import io.vecraft.journal.JournalEntry;
import io.vecraft.journal.JournalPartition;
import io.vecraft.journal.JournalTailer;
import io.vecraft.journal.Watermark;

/**
 * An {@link EntrySource} over a partition of the local journal.
 *
 * <p>Thread-safe (cursors are thread-confined, like Chronicle tailers).
 */
final class LocalEntrySource implements EntrySource {
    private final JournalPartition partition;

    LocalEntrySource(JournalPartition partition) {
        this.partition = partition;
    }

    @Override
    public String name() {
        return partition.name();
    }

    @Override
    public int id() {
        return partition.id();
    }

    @Override
    public long firstSequence() {
        return partition.firstSequence();
    }

    @Override
    public Watermark watermark() {
        return partition.watermark();
    }

    @Override
    public long visibleSequence() {
        return partition.visibleSequence();
    }

    @Override
    public long headSequence() {
        return partition.headSequence();
    }

    @Override
    public long durableSequence() {
        return partition.durableSequence();
    }

    @Override
    public void flush() {
        partition.flush();
    }

    @Override
    public Throwable failure() {
        return partition.failure();
    }

    @Override
    public Cursor cursor(long fromSequence) {
        JournalTailer t = partition.tailer();
        t.seekSequence(Math.max(fromSequence, partition.firstSequence()));
        return wrap(t);
    }

    @Override
    public Cursor cursorAtHlc(long hlc) {
        JournalTailer t = partition.tailer();
        t.seekHlc(hlc);
        return wrap(t);
    }

    private static Cursor wrap(JournalTailer t) {
        return new Cursor() {
            @Override
            public JournalEntry next() {
                return t.next();
            }

            @Override
            public void close() {
                t.close();
            }
        };
    }

    @Override
    public AutoCloseable onVisible(Runnable listener) {
        return partition.onVisible(listener);
    }
}
