package io.vecraft.journal;

import java.util.concurrent.TimeUnit;

/**
 * A cursor over one partition's entries in sequence order. Returns only visible entries
 * (see {@link JournalPartition#visibleSequence()}), ticks included.
 *
 * <p>Not thread-safe: one thread at a time uses a tailer. It may be handed to another thread
 * with a happens-before edge (Chronicle's thread-confinement check is disabled for it).
 */
public interface JournalTailer extends AutoCloseable {

    /**
     * @return the next visible entry, or null if there is none yet
     * @throws io.vecraft.api.CorruptedDataException if the entry fails its CRC or length check
     */
    JournalEntry next();

    /**
     * Waits up to {@code timeout} for the next visible entry.
     *
     * @param timeout maximum wait
     * @param unit    unit of {@code timeout}
     * @return the entry, or null on timeout
     * @throws InterruptedException if interrupted
     */
    JournalEntry next(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Positions the cursor so that {@link #next()} returns the entry with {@code sequence}.
     *
     * @param sequence a sequence {@code >= firstSequence()}; {@code headSequence()+1} waits for the next
     * @throws io.vecraft.api.InvalidArgumentException if below the first stored sequence
     */
    void seekSequence(long sequence);

    /**
     * Positions the cursor at the first entry whose HLC is {@code >= hlc}. Entries the search could
     * not see yet (appended later, or not visible yet in SYNC mode) with an HLC below it are skipped
     * by the next {@link #next()} calls, so the first entry returned is always at or after {@code hlc}.
     *
     * @param hlc the HLC
     */
    void seekHlc(long hlc);

    /** @return the sequence the next call to {@link #next()} will return */
    long nextSequence();

    /** Releases the cursor; idempotent. */
    @Override
    void close();
}
