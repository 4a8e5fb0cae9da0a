package io.vecraft.journal;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One partition of a {@link Journal}: a totally ordered log with dense sequence numbers
 * starting at 1, backed by one Chronicle Queue directory with a single appender.
 *
 * <p>Thread-safe. Appends from many threads are serialised; within a partition, sequence order
 * equals HLC order. An append returns once the entry is durable as the journal's
 * {@link io.vecraft.api.Durability} promises.
 */
public interface JournalPartition {

    /** @return the partition's name, e.g. {@code "data-0"} */
    String name();

    /** @return the partition's id, its index in {@link Journal#partitions()} */
    int id();

    /**
     * Appends one entry, stamping it with the next sequence and an HLC.
     *
     * @param type          entry type, {@code 1..}{@link EntryTypes#MAX_TYPE} (0 is reserved for ticks)
     * @param requestId     request id, at most {@link JournalConfig#MAX_REQUEST_ID_BYTES} UTF-8 bytes, not null
     * @param transactionId transaction id, 0 for none
     * @param payload       payload bytes, at most the configured maximum
     * @return where and when the entry was appended
     * @throws io.vecraft.api.InvalidArgumentException on bad input (nothing appended)
     * @throws io.vecraft.api.VecraftClosedException   after close
     * @throws io.vecraft.api.VecraftIOException       if the entry could not be written or forced
     */
    AppendResult append(int type, String requestId, long transactionId, byte[] payload);

    /**
     * Appends an entry exactly as another node assigned it (sequence and HLC included): how a
     * follower of a replicated journal stores what its leader appended. The entry must carry this
     * partition's id, the next sequence ({@code headSequence() + 1}) and an HLC not below
     * {@link #lastHlc()}; the local clock is advanced past it. Durable per the journal's mode
     * like {@link #append}.
     *
     * @param entry the entry (ticks allowed)
     * @return where and when it was appended (the entry's own sequence and HLC)
     * @throws io.vecraft.api.InvalidArgumentException if the sequence is not the next one, the HLC
     *                                                 goes back, or the entry is otherwise invalid
     */
    AppendResult appendReplica(JournalEntry entry);

    /**
     * Appends entries as one batch with consecutive sequences and at most one force; either
     * every entry is validated before any is written, or an exception is thrown and nothing is.
     *
     * @param entries the entries, at least one
     * @return one result per entry, in order
     */
    List<AppendResult> appendBatch(List<EntryDraft> entries);

    /**
     * Appends a heartbeat tick ({@link EntryTypes#TICK}) unless one was appended less than the
     * configured minimum tick interval ago or an entry newer than {@code hlc} exists. Ticks let
     * a reader waiting for "every entry up to time t" finish on an idle partition.
     *
     * @param hlc the time the caller waits for; 0 for "now"
     * @return true if a tick was appended
     */
    boolean tick(long hlc);

    /** @return the sequence of the last appended entry, 0 if none */
    long headSequence();

    /**
     * @return the sequence up to which tailers may read. In SYNC mode only forced entries are
     *     visible, so a reader never observes a write that a power loss could take back; in
     *     BATCH and ASYNC mode it equals {@link #headSequence()}.
     */
    long visibleSequence();

    /** @return the sequence up to which entries are known forced to disk */
    long durableSequence();

    /** @return the HLC of the last appended entry, 0 if none */
    long lastHlc();

    /**
     * An atomic (sequence, HLC) pair taken under the append lock: {@code sequence} is the head
     * sequence and {@code hlc} is a FRESH reading of the journal clock ({@code clock().now()}),
     * not the last entry's HLC. So every entry with sequence {@code <= sequence} has HLC
     * {@code < hlc}, every entry appended later gets a larger HLC and sequence, and {@code hlc}
     * is at least the clock's value when the call started. In-process readers use it to advance
     * their safe time to "now" on an idle partition without writing a tick: once they have
     * consumed every entry up to {@code sequence}, they have seen every entry with HLC
     * {@code <= hlc}. Cheap (no I/O); it consumes one clock value.
     *
     * @return the watermark
     */
    Watermark watermark();

    /**
     * @return the smallest sequence still stored (after retention), or {@code headSequence()+1} if empty
     */
    long firstSequence();

    /**
     * Creates a tailer positioned at {@link #firstSequence()}. A tailer is a cursor; it must be
     * used by one thread at a time and closed when done.
     *
     * @return a new tailer
     */
    JournalTailer tailer();

    /**
     * Blocks until {@code visibleSequence() >= sequence}, the timeout passes or the journal closes.
     *
     * @param sequence the sequence to wait for
     * @param timeout  maximum wait
     * @param unit     unit of {@code timeout}
     * @return true if the sequence is visible
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitVisible(long sequence, long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Blocks until {@code durableSequence() >= sequence}, the timeout passes or the journal
     * closes. Does not force by itself: in BATCH mode the background flusher forces at least every
     * interval; in ASYNC mode only {@link #flush()} does.
     *
     * @param sequence the sequence to wait for
     * @param timeout  maximum wait
     * @param unit     unit of {@code timeout}
     * @return true if the sequence is durable
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitDurable(long sequence, long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Forces every entry appended so far to disk (in any durability mode) and returns when they
     * are durable; concurrent SYNC writers share the force.
     *
     * @throws io.vecraft.api.VecraftIOException if the force fails (the partition then refuses
     *                                           appends until reopen)
     */
    void flush();

    /**
     * @return the error that made this partition refuse appends (a failed force or a failed write), or
     *     null while it is healthy; once set it stays set until the journal is reopened
     */
    default Throwable failure() {
        return null;
    }

    /** @return counters since open: appends, ticks, bytes, forces (see {@link JournalStats}) */
    JournalStats stats();

    /**
     * Registers a listener called (from the appending or forcing thread) after new entries become
     * visible. Listeners must be fast and must not block; typically they unpark a reader.
     *
     * @param listener the callback
     * @return a handle whose {@code close()} unregisters the listener
     */
    AutoCloseable onVisible(Runnable listener);

    /**
     * Retention: deletes whole roll-cycle files all of whose entries have sequences below
     * {@code sequence}. The cycle being written is never deleted.
     *
     * @param sequence entries below it may be deleted
     * @return the number of files deleted
     */
    int deleteBelow(long sequence);
}
