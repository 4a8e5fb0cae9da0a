package io.vecraft.journal.internal;

import io.vecraft.api.CorruptedDataException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads one Chronicle Queue cycle file ({@code *.cq4}) byte by byte, without Chronicle, and
 * validates every journal entry in it. Used at open time (before Chronicle maps the file) to
 * find the head of a partition, to tell a torn tail from corruption, and to copy the valid
 * prefix when a torn tail is cut.
 *
 * <p>Chronicle's layout, as far as this scanner relies on it: a sequence of excerpts starting
 * at offset 0, each a 4-byte little-endian header followed by {@code length} bytes, the next
 * header at the following 4-byte-aligned offset. Header bits: 31 = not complete, 30 =
 * metadata, 0..29 = length. A header of 0 marks the end of written data (Chronicle writes the
 * header last, on commit); {@code 0xC0000000} is the end-of-file marker of a rolled cycle.
 * Metadata excerpts (the store header, index arrays) are skipped.
 *
 * <p>Not thread-safe; one scanner per file and thread.
 */
public final class CycleFileScanner implements AutoCloseable {

    /** Chronicle header bit: excerpt not complete. */
    static final int NOT_COMPLETE = 0x8000_0000;
    /** Chronicle header bit: metadata excerpt. */
    static final int META_DATA = 0x4000_0000;
    /** Chronicle header length bits. */
    static final int LENGTH_MASK = 0x3FFF_FFFF;
    /** Chronicle end-of-file marker of a rolled cycle. */
    static final int END_OF_DATA = NOT_COMPLETE | META_DATA;

    /** Receives each valid entry during {@link #scan}. */
    @FunctionalInterface
    public interface Visitor {
        /**
         * @param position file offset of the excerpt header
         * @param entry    the entry bytes (valid until the call returns)
         * @param length   entry length
         * @throws IOException to abort the scan
         */
        void onEntry(long position, byte[] entry, int length) throws IOException;
    }

    /** How a scan ended. */
    public enum End {
        /** A zero header after the last valid entry: the normal end of a cycle being written. */
        CLEAN,
        /** Chronicle's end-of-file marker: the cycle was rolled. */
        END_OF_FILE,
        /** Invalid bytes after the last valid entry and no valid entry after them: cut them off. */
        TORN
    }

    /**
     * Outcome of a scan.
     *
     * @param entries      valid entries found
     * @param firstSeq     sequence of the first valid entry, 0 if none
     * @param firstHlc     HLC of the first valid entry, 0 if none
     * @param lastSeq      sequence of the last valid entry, 0 if none
     * @param lastHlc      HLC of the last valid entry, 0 if none
     * @param end          how the scan ended
     * @param stopPosition file offset where the scan stopped (the first byte not part of the
     *                     valid prefix)
     * @param reason       for {@link End#TORN}, what was wrong at {@code stopPosition}
     */
    public record Result(long entries, long firstSeq, long firstHlc, long lastSeq, long lastHlc, End end,
                         long stopPosition, String reason) {
    }

    private final Path file;
    private final String partition;
    private final int partitionId;
    private final int maxEntryBytes;
    private final FileChannel channel;
    private final long size;
    private ByteBuffer window = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer zeros;
    private long windowStart;
    private int windowLength;
    private byte[] entry = new byte[4096];

    /**
     * @param file          the cycle file
     * @param partition     partition name (for messages)
     * @param partitionId   expected partition id of every entry
     * @param maxEntryBytes largest valid entry (larger lengths are invalid)
     * @throws IOException if the file cannot be opened
     */
    public CycleFileScanner(Path file, String partition, int partitionId, int maxEntryBytes) throws IOException {
        this.file = file;
        this.partition = partition;
        this.partitionId = partitionId;
        this.maxEntryBytes = maxEntryBytes;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.size = channel.size();
    }

    /**
     * Scans the whole file.
     *
     * @param expectedFirstSeq the sequence the first entry must carry, or 0 for any
     * @param minHlc           HLCs must not go below this (the previous cycle's last HLC)
     * @param visitor          receives each valid entry; may be null
     * @return the outcome ({@link End#CLEAN}, {@link End#END_OF_FILE} or {@link End#TORN})
     * @throws CorruptedDataException if an invalid entry is followed by a valid one (corruption
     *                                before the tail), naming the partition and sequence
     * @throws IOException            on read failure
     */
    public Result scan(long expectedFirstSeq, long minHlc, Visitor visitor) throws IOException {
        return scan(expectedFirstSeq, minHlc, 0, visitor);
    }

    /**
     * Scans the whole file, trusting a clean-close record: when the entries end (a zero header)
     * right after the entry with sequence {@code cleanLastSeq}, the file is known to end there
     * (the journal was closed cleanly and nothing wrote since), so the rest of the file (the
     * unwritten, sparse part of the cycle, hundreds of MiB) is not searched for stale entries.
     *
     * @param expectedFirstSeq the sequence the first entry must carry, or 0 for any
     * @param minHlc           HLCs must not go below this
     * @param cleanLastSeq     last sequence recorded by a clean close of this file, or 0 if unknown
     * @param visitor          receives each valid entry; may be null
     * @return the outcome
     * @throws IOException on read failure
     */
    public Result scan(long expectedFirstSeq, long minHlc, long cleanLastSeq, Visitor visitor) throws IOException {
        long pos = 0;
        long entries = 0;
        long firstSeq = 0;
        long firstHlc = 0;
        long lastSeq = expectedFirstSeq > 0 ? expectedFirstSeq - 1 : 0;
        long lastHlc = minHlc;
        while (true) {
            if (pos + 4 > size) {
                return new Result(entries, firstSeq, firstHlc, entries == 0 ? 0 : lastSeq, lastHlc, End.CLEAN, pos, null);
            }
            int header = readInt(pos);
            if (header == 0) {
                if (cleanLastSeq > 0 && entries > 0 && lastSeq == cleanLastSeq) {
                    return new Result(entries, firstSeq, firstHlc, lastSeq, lastHlc, End.CLEAN, pos, null);
                }
                End end = validEntryAfter(pos, lastSeq) >= 0 ? End.TORN : End.CLEAN;
                return new Result(entries, firstSeq, firstHlc, entries == 0 ? 0 : lastSeq, lastHlc, end, pos,
                        end == End.TORN ? "a zero header is followed by stale entries (a lost write)" : null);
            }
            if (header == END_OF_DATA) {
                return new Result(entries, firstSeq, firstHlc, entries == 0 ? 0 : lastSeq, lastHlc, End.END_OF_FILE,
                        pos, null);
            }
            int length = header & LENGTH_MASK;
            String problem = null;
            if ((header & NOT_COMPLETE) != 0) {
                problem = "incomplete excerpt header " + Integer.toHexString(header);
            } else if (pos + 4 + length > size) {
                problem = "excerpt length " + length + " runs past the end of the file (" + size + " bytes)";
            } else if ((header & META_DATA) != 0) {
                pos = align(pos + 4 + length);
                continue;
            } else if (length > maxEntryBytes) {
                problem = "excerpt length " + length + " exceeds the largest entry (" + maxEntryBytes + " bytes)";
            } else {
                byte[] e = read(pos + 4, length);
                problem = EntryFormat.check(e, length);
                if (problem == null) {
                    problem = checkContext(e, expectedFirstSeq, entries, lastSeq, lastHlc);
                }
                if (problem == null) {
                    long seq = EntryFormat.sequence(e);
                    long hlc = EntryFormat.hlc(e);
                    if (entries == 0) {
                        firstSeq = seq;
                        firstHlc = hlc;
                    }
                    entries++;
                    lastSeq = seq;
                    lastHlc = hlc;
                    if (visitor != null) {
                        visitor.onEntry(pos, e, length);
                    }
                    pos = align(pos + 4 + length);
                    continue;
                }
            }
            long valid = validEntryAfter(pos, lastSeq);
            if (valid >= 0) {
                long expected = entries == 0 && expectedFirstSeq == 0 ? -1 : lastSeq + 1;
                throw new CorruptedDataException(partition, expected, "entry"
                        + (expected >= 0 ? " with sequence " + expected : "") + " at byte " + pos + " of " + file
                        + " is invalid (" + problem + ") but valid entries follow at byte " + valid
                        + ": corruption before the tail, not a torn write");
            }
            return new Result(entries, firstSeq, firstHlc, entries == 0 ? 0 : lastSeq, lastHlc, End.TORN, pos, problem);
        }
    }

    /** Sequence and order checks of a structurally valid entry. */
    private String checkContext(byte[] e, long expectedFirstSeq, long entries, long lastSeq, long lastHlc) {
        if (EntryFormat.partitionId(e) != partitionId) {
            return "partition id " + EntryFormat.partitionId(e) + ", expected " + partitionId;
        }
        long seq = EntryFormat.sequence(e);
        if ((entries > 0 || expectedFirstSeq > 0) && seq != lastSeq + 1) {
            return "sequence " + seq + ", expected " + (lastSeq + 1);
        }
        if (seq < 1) {
            return "sequence " + seq + " < 1";
        }
        if (EntryFormat.hlc(e) < lastHlc) {
            return "HLC " + EntryFormat.hlc(e) + " below the previous entry's " + lastHlc;
        }
        return null;
    }

    /**
     * Looks for a structurally valid entry of this partition with a sequence above
     * {@code lastSeq} anywhere after {@code from} (every 4-byte-aligned offset is tried as an
     * excerpt header).
     *
     * @return its file offset, or -1 if there is none
     */
    private long validEntryAfter(long from, long lastSeq) throws IOException {
        for (long pos = from + 4; pos + 4 + EntryFormat.MIN_ENTRY_BYTES <= size; pos += 4) {
            ensure(pos, 4 + EntryFormat.MIN_ENTRY_BYTES);
            int at = (int) (pos - windowStart);
            int header = window.getInt(at);
            if (header == 0) {
                // Skip a run of zeros fast (the unwritten, sparse rest of a cycle file).
                long nonZero = nextNonZero(pos + 4);
                pos = (nonZero & ~3L) - 4;
                continue;
            }
            if ((header & (NOT_COMPLETE | META_DATA)) != 0) {
                continue;
            }
            int length = header & LENGTH_MASK;
            if (length < EntryFormat.MIN_ENTRY_BYTES || length > maxEntryBytes || pos + 4 + length > size) {
                continue;
            }
            if ((window.get(at + 4) & 0xFF) != EntryFormat.VERSION
                    || (window.getShort(at + 4 + EntryFormat.OFF_PARTITION) & 0xFFFF) != partitionId
                    || window.getLong(at + 4 + EntryFormat.OFF_SEQUENCE) <= lastSeq) {
                continue;
            }
            byte[] e = read(pos + 4, length);
            if (EntryFormat.check(e, length) == null) {
                return pos;
            }
        }
        return -1;
    }

    /** @return the offset of the first non-zero byte at or after {@code from}, or the file size */
    private long nextNonZero(long from) throws IOException {
        while (from < size) {
            ensure(from, 1);
            int start = (int) (from - windowStart);
            int len = windowLength - start;
            if (zeros == null || zeros.capacity() < len) {
                zeros = ByteBuffer.allocateDirect(window.capacity());
            }
            int idx = window.slice(start, len).mismatch(zeros.slice(0, len));
            if (idx >= 0) {
                return from + idx;
            }
            from += len;
        }
        return size;
    }

    private static long align(long pos) {
        return (pos + 3) & ~3L;
    }

    private int readInt(long pos) throws IOException {
        ensure(pos, 4);
        return window.getInt((int) (pos - windowStart));
    }

    private byte[] read(long pos, int length) throws IOException {
        if (entry.length < length) {
            entry = new byte[Math.max(length, entry.length * 2)];
        }
        ensure(pos, length);
        window.get((int) (pos - windowStart), entry, 0, length);
        return entry;
    }

    /** Makes the window hold [pos, pos + n). */
    private void ensure(long pos, int n) throws IOException {
        if (pos >= windowStart && pos + n <= windowStart + windowLength) {
            return;
        }
        if (window.capacity() < n) {
            window = ByteBuffer.allocateDirect(Integer.highestOneBit(n - 1) << 1).order(ByteOrder.LITTLE_ENDIAN);
        }
        window.clear();
        int want = (int) Math.min(window.capacity(), size - pos);
        window.limit(want);
        int read = 0;
        while (read < want) {
            int r = channel.read(window, pos + read);
            if (r < 0) {
                break;
            }
            read += r;
        }
        if (read < n) {
            throw new IOException("short read of " + file + " at " + pos + ": wanted " + n + " bytes, got " + read);
        }
        windowStart = pos;
        windowLength = read;
    }

    /** @return the file size in bytes */
    public long size() {
        return size;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
