package io.vecraft.journal;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.journal.internal.EntryFormat;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cursor over one {@link ChroniclePartition}. Positions lazily: a seek only records the wanted
 * sequence, and the Chronicle tailer is moved when that entry is visible (so it exists).
 *
 * <p>Not thread-safe: one thread at a time (Chronicle's thread-confinement check is disabled so
 * that the cursor may be handed between threads with a happens-before edge).
 */
final class ChronicleTailer implements JournalTailer {
    private final ChroniclePartition partition;
    private final ExcerptTailer tailer;
    private long nextSeq;
    /** Entries below this HLC are skipped by next() (set by seekHlc until it returns an entry). */
    private long skipBelowHlc = Long.MIN_VALUE;
    /** True when the Chronicle tailer's next excerpt is {@code nextSeq}. */
    private boolean positioned;
    private byte[] buf = new byte[1024];
    private boolean closed;

    ChronicleTailer(ChroniclePartition partition, ExcerptTailer tailer) {
        this.partition = partition;
        this.tailer = tailer;
        tailer.singleThreadedCheckDisabled(true);
        this.nextSeq = partition.firstSequence();
    }

    @Override
    public JournalEntry next() {
        checkOpen();
        while (nextSeq <= partition.visibleSequence()) {
            JournalEntry e = read(nextSeq);
            nextSeq++;
            positioned = true;
            if (e.hlc() >= skipBelowHlc) {
                skipBelowHlc = Long.MIN_VALUE;
                return e;
            }
            // below the HLC of the last seekHlc: appended (or made visible) after the seek looked
        }
        return null;
    }

    @Override
    public JournalEntry next(long timeout, TimeUnit unit) throws InterruptedException {
        JournalEntry e = next();
        if (e != null) {
            return e;
        }
        if (!partition.await(nextSeq, timeout, unit, true)) {
            return null;
        }
        return next();
    }

    @Override
    public void seekSequence(long sequence) {
        checkOpen();
        long first = partition.firstSequence();
        if (sequence < first) {
            throw new InvalidArgumentException("sequence", "must be >= the first stored sequence " + first
                    + " of partition " + partition.name() + " (older entries were deleted by retention), was "
                    + sequence);
        }
        nextSeq = sequence;
        skipBelowHlc = Long.MIN_VALUE;
        positioned = false;
    }

    @Override
    public void seekHlc(long hlc) {
        checkOpen();
        long lo = partition.firstSequence();
        long hi = partition.visibleSequence();
        // Narrow to one cycle with the cycle table (first HLC of each cycle), then binary search.
        List<ChroniclePartition.Cycle> cs = partition.cycles();
        for (int i = cs.size() - 1; i >= 0; i--) {
            ChroniclePartition.Cycle c = cs.get(i);
            if (c.firstHlc() < hlc && c.firstSeq() >= lo) {
                lo = Math.max(lo, c.firstSeq());
                if (i + 1 < cs.size()) {
                    hi = Math.min(hi, cs.get(i + 1).firstSeq());
                }
                break;
            }
        }
        // Smallest seq in [lo, hi] with hlc(seq) >= hlc, else hi + 1.
        long result = hi + 1;
        while (lo <= hi) {
            long mid = lo + ((hi - lo) >>> 1);
            positioned = false;
            long midHlc = read(mid).hlc();
            if (midHlc >= hlc) {
                result = mid;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        nextSeq = Math.max(result, partition.firstSequence());
        // Entries the search could not see (not visible yet, or appended later) may still be below hlc:
        // next() skips them, so the first entry it returns is the first with an HLC >= hlc.
        skipBelowHlc = hlc;
        positioned = false;
    }

    @Override
    public long nextSequence() {
        return nextSeq;
    }

    /** Reads the entry with {@code seq} (which is visible) and leaves the cursor after it. */
    private JournalEntry read(long seq) {
        long first = partition.firstSequence();
        if (seq < first) {
            throw new NotFoundException("journal entry", partition.name() + "#" + seq
                    + " (deleted by retention; the first stored sequence is " + first + ")");
        }
        try {
            return readAt(seq);
        } catch (InternalError e) {
            positioned = false;
            // The JVM reports SIGBUS of a mapped access in JIT-compiled code late, at some later point
            // of the thread: this error may belong to an earlier access of the caller (a store into
            // a mapped file of a full disk) rather than to this read. Read again to tell them apart.
            try {
                readAt(seq);
            } catch (InternalError again) {
                // SIGBUS of a mapped read outside the file: only damage to Chronicle's own header or
                // index makes it compute such a position (entries are bounds-checked below)
                positioned = false;
                throw new CorruptedDataException(partition.name(), seq, "reading the entry faulted outside the "
                        + "cycle file (" + again.getMessage() + "): Chronicle's header or index of the partition is"
                        + " damaged", again);
            } catch (RuntimeException other) {
                positioned = false;
                e.addSuppressed(other);
            }
            positioned = false;
            throw new VecraftIOException("journal partition " + partition.name() + ": the thread reading entry " + seq
                    + " got a mapped-memory fault (" + e.getMessage() + ") that reading the entry again does not"
                    + " repeat: an earlier access of this thread to a memory-mapped file faulted (a full disk or"
                    + " a truncated file does this); the entry itself reads fine", e);
        }
    }

    private JournalEntry readAt(long seq) {
        if (!positioned) {
            moveTo(seq);
        }
        int length;
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                throw new CorruptedDataException(partition.name(), seq, "entry is missing from the queue (index "
                        + Long.toHexString(tailer.index()) + ")");
            }
            Bytes<?> b = dc.wire().bytes();
            length = (int) b.readRemaining();
            if (length > partition.maxEntryBytes() || length < 0) {
                throw new CorruptedDataException(partition.name(), seq, "excerpt of " + length
                        + " bytes exceeds the largest entry (" + partition.maxEntryBytes() + ")");
            }
            if (buf.length < length) {
                buf = new byte[Math.max(length, buf.length * 2)];
            }
            b.read(buf, 0, length);
        }
        String problem = EntryFormat.check(buf, length);
        if (problem != null) {
            positioned = false;
            throw new CorruptedDataException(partition.name(), seq, problem);
        }
        long found = EntryFormat.sequence(buf);
        int pid = EntryFormat.partitionId(buf);
        if (found != seq || pid != partition.id()) {
            positioned = false;
            throw new CorruptedDataException(partition.name(), seq, "found partition " + pid + " sequence " + found
                    + " where partition " + partition.id() + " sequence " + seq + " was expected");
        }
        int r = EntryFormat.requestIdBytes(buf);
        int p = EntryFormat.payloadBytes(buf);
        String requestId = r == 0 ? "" : new String(buf, EntryFormat.HEADER_BYTES, r, StandardCharsets.UTF_8);
        byte[] payload = p == 0 ? new byte[0]
                : Arrays.copyOfRange(buf, EntryFormat.HEADER_BYTES + r, EntryFormat.HEADER_BYTES + r + p);
        return new JournalEntry(EntryFormat.version(buf), EntryFormat.type(buf), pid, found, EntryFormat.hlc(buf),
                requestId, EntryFormat.transactionId(buf), payload);
    }

    private void moveTo(long seq) {
        List<ChroniclePartition.Cycle> cs = partition.cycles();
        ChroniclePartition.Cycle c = null;
        for (int i = cs.size() - 1; i >= 0; i--) {
            if (cs.get(i).firstSeq() <= seq) {
                c = cs.get(i);
                break;
            }
        }
        if (c == null) {
            throw new NotFoundException("journal entry", partition.name() + "#" + seq);
        }
        long index = partition.rollCycle().toIndex(c.cycle(), seq - c.firstSeq());
        if (!tailer.moveToIndex(index)) {
            throw new CorruptedDataException(partition.name(), seq, "Chronicle index " + Long.toHexString(index)
                    + " of the entry is not in cycle file " + c.file());
        }
        positioned = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new VecraftClosedException("journal tailer of partition " + partition.name());
        }
        if (partition.isClosed()) {
            throw new VecraftClosedException("journal partition " + partition.name());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!partition.isClosed()) {
            tailer.close();
        }
    }
}
