package io.vecraft.core;

import io.vecraft.journal.JournalEntry;
import io.vecraft.journal.Watermark;

/**
 * One journal partition as a reader sees it: a local Chronicle partition (embedded mode) or a
 * partition of a remote journal service (cluster mode). Appliers and the audit log read through
 * it, so the same applier code runs in both modes.
 *
 * <p>Thread-safe; each {@link Cursor} is confined to the thread that created it.
 */
interface EntrySource {

    /** @return partition name */
    String name();

    /** @return partition id */
    int id();

    /** @return the first sequence still stored */
    long firstSequence();

    /**
     * @return an atomic (last appended sequence, fresh HLC) pair; see
     *     {@link io.vecraft.journal.JournalPartition#watermark()}
     */
    Watermark watermark();

    /** @return the highest sequence a cursor can read now (best effort for remote sources) */
    long visibleSequence();

    /**
     * The highest sequence the partition holds now, asked of the journal itself (a remote source's
     * {@link #visibleSequence()} only knows what this process has read). Readers that bound a scan
     * to "everything appended so far" use this.
     *
     * @return the current head sequence (entries up to it may still be committing)
     */
    default long headSequence() {
        return visibleSequence();
    }

    /**
     * @param fromSequence first sequence to return
     * @return a cursor on the calling thread
     */
    Cursor cursor(long fromSequence);

    /**
     * @param hlc the first HLC wanted
     * @return a cursor on the calling thread, at the first entry with HLC {@code >= hlc}
     */
    Cursor cursorAtHlc(long hlc);

    /**
     * @param listener called (fast, non-blocking) when new entries may be readable
     * @return a handle; closing it unregisters
     */
    AutoCloseable onVisible(Runnable listener);

    /** A non-blocking cursor; confined to one thread. */
    interface Cursor extends AutoCloseable {
        /** @return the next readable entry (ticks included), or null if none is readable now */
        JournalEntry next();

        @Override
        void close();
    }
}
