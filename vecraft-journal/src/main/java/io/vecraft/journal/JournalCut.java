package io.vecraft.journal;

import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.journal.internal.CleanCloseMarker;
import io.vecraft.journal.internal.CycleFileScanner;
import io.vecraft.journal.internal.EntryFormat;
import io.vecraft.journal.internal.Fsync;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Cuts a CLOSED journal partition directory after a point: used by point-in-time restore, which
 * copies a snapshot's cycle files and then keeps only the entries up to the wanted sequence or
 * HLC. The kept entries are byte-identical (same sequence, HLC and CRC); the cycle file holding the
 * cut is rewritten with its kept prefix through a fresh Chronicle queue and an atomic rename (the
 * same technique the journal's torn-tail recovery uses), later cycle files are deleted.
 *
 * <p>The scan stops at the last kept entry and never reads past it, so whatever follows it (a
 * partial entry copied from a file that was being appended to) does not matter.
 *
 * <p>Not thread-safe, and the partition must not be open anywhere: call it on a directory no
 * journal has open (restore runs before the restored database is opened).
 */
public final class JournalCut {

    private JournalCut() {
    }

    /**
     * Result of a cut.
     *
     * @param lastSequence the last kept sequence (0 if nothing is kept)
     * @param lastHlc      its HLC (0 if nothing is kept)
     * @param firstSequence the first kept sequence (0 if nothing is kept)
     * @param deletedFiles cycle files deleted because they started after the cut
     * @param rewritten    whether the cycle file holding the cut was rewritten
     */
    public record Result(long lastSequence, long lastHlc, long firstSequence, int deletedFiles, boolean rewritten) {
    }

    /**
     * Keeps the longest prefix of entries with {@code sequence <= maxSequence} and
     * {@code hlc <= maxHlc}; deletes or rewrites the rest.
     *
     * @param partitionDir    the partition's Chronicle Queue directory
     * @param name            partition name (messages)
     * @param id              partition id (every entry must carry it)
     * @param rollCycle       the roll cycle the partition was written with
     * @param maxPayloadBytes the journal's maximum payload (bounds a valid entry)
     * @param maxSequence     last sequence to keep
     * @param maxHlc          entries with a larger HLC are cut ({@code Long.MAX_VALUE} for none)
     * @return what was kept
     * @throws NotFoundException                    if the directory does not exist
     * @throws io.vecraft.api.CorruptedDataException if the kept prefix fails its checks
     */
    public static Result cut(Path partitionDir, String name, int id, JournalRollCycle rollCycle, int maxPayloadBytes,
                             long maxSequence, long maxHlc) {
        if (maxSequence < 0) {
            throw new InvalidArgumentException("maxSequence", "must be >= 0, was " + maxSequence);
        }
        if (!Files.isDirectory(partitionDir)) {
            throw new NotFoundException("journal partition directory", partitionDir.toString());
        }
        int maxEntryBytes = EntryFormat.entryBytes(JournalConfig.MAX_REQUEST_ID_BYTES, maxPayloadBytes);
        try {
            List<Map.Entry<Integer, Path>> files = cycleFiles(partitionDir, rollCycle);
            long lastSeq = 0;
            long lastHlc = 0;
            long firstSeq = 0;
            int deleted = 0;
            boolean rewritten = false;
            boolean done = false;
            for (Map.Entry<Integer, Path> f : files) {
                if (done) {
                    Files.delete(f.getValue());
                    deleted++;
                    continue;
                }
                long[] kept = {0, 0, 0, 0}; // count, last seq, last hlc, first seq
                boolean[] stoppedByLimit = {false};
                CycleFileScanner.Result r;
                try (CycleFileScanner s = new CycleFileScanner(f.getValue(), name, id, maxEntryBytes)) {
                    r = s.scan(0, 0, (pos, e, len) -> {
                        long seq = EntryFormat.sequence(e);
                        long hlc = EntryFormat.hlc(e);
                        if (seq > maxSequence || hlc > maxHlc) {
                            stoppedByLimit[0] = true;
                            throw new Stop();
                        }
                        if (kept[0] == 0) {
                            kept[3] = seq;
                        }
                        kept[0]++;
                        kept[1] = seq;
                        kept[2] = hlc;
                        if (seq == maxSequence) {
                            stoppedByLimit[0] = true;
                            throw new Stop();
                        }
                    });
                } catch (Stop stop) {
                    r = null;
                }
                if (kept[0] > 0) {
                    if (firstSeq == 0) {
                        firstSeq = kept[3];
                    }
                    lastSeq = kept[1];
                    lastHlc = kept[2];
                }
                if (r != null && r.end() == CycleFileScanner.End.END_OF_FILE) {
                    continue; // a whole rolled file, kept as it is
                }
                // The cut is in this file (limit reached, or its valid entries end here).
                done = true;
                if (kept[0] == 0) {
                    Files.delete(f.getValue());
                    deleted++;
                } else {
                    rewrite(partitionDir, f.getKey(), f.getValue(), rollCycle, maxEntryBytes, name, id, kept[0]);
                    rewritten = true;
                }
            }
            CleanCloseMarker.delete(partitionDir);
            Fsync.directory(partitionDir);
            return new Result(lastSeq, lastHlc, firstSeq, deleted, rewritten);
        } catch (IOException e) {
            throw new VecraftIOException("cannot cut journal partition " + name + " in " + partitionDir, e);
        }
    }

    private static final class Stop extends IOException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super("cut point reached");
        }
    }

    /**
     * The cycle files of a partition directory in cycle order.
     *
     * @param dir       the partition directory
     * @param rollCycle its roll cycle
     * @return the files, oldest cycle first
     */
    public static List<Path> cycleFilesInOrder(Path dir, JournalRollCycle rollCycle) {
        try {
            return cycleFiles(dir, rollCycle).stream().map(Map.Entry::getValue).toList();
        } catch (IOException e) {
            throw new VecraftIOException("cannot list " + dir, e);
        }
    }

    /**
     * How many bytes of a cycle file (possibly being appended to) a copy needs to hold every entry up to
     * {@code headSequence}: up to the end of that entry if the file holds it, up to and including the
     * end-of-file marker of a rolled file, up to the end of its valid entries otherwise. Reads only that
     * far, so neither the sparse unwritten rest of the file nor whatever is being written after the head
     * is read.
     *
     * @param file            a cycle file
     * @param name            partition name (messages)
     * @param id              partition id
     * @param maxPayloadBytes the journal's maximum payload
     * @param headSequence    the last sequence wanted
     * @return bytes to copy, or -1 if the file holds only entries after {@code headSequence}
     */
    public static long copyLength(Path file, String name, int id, int maxPayloadBytes, long headSequence) {
        int maxEntryBytes = EntryFormat.entryBytes(JournalConfig.MAX_REQUEST_ID_BYTES, maxPayloadBytes);
        long[] end = {-1, 0};
        try (CycleFileScanner s = new CycleFileScanner(file, name, id, maxEntryBytes)) {
            CycleFileScanner.Result r;
            try {
                r = s.scan(0, 0, (pos, e, len) -> {
                    long seq = EntryFormat.sequence(e);
                    if (seq > headSequence) {
                        throw new Stop();
                    }
                    end[1]++;
                    end[0] = pos + 4 + len;
                    if (seq == headSequence) {
                        throw new Stop();
                    }
                });
            } catch (Stop stop) {
                return end[1] == 0 ? -1 : Math.min(s.size(), (end[0] + 3) & ~3L);
            }
            if (r.end() == CycleFileScanner.End.END_OF_FILE) {
                return Math.min(s.size(), r.stopPosition() + 4);
            }
            return r.entries() == 0 ? -1 : r.stopPosition();
        } catch (IOException e) {
            throw new VecraftIOException("cannot scan " + file, e);
        }
    }

    static List<Map.Entry<Integer, Path>> cycleFiles(Path dir, JournalRollCycle rollCycle) throws IOException {
        RollingResourcesCache names = new RollingResourcesCache(rollCycle.chronicle(), 0, File::new, File::getName);
        List<Map.Entry<Integer, Path>> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SingleChronicleQueue.SUFFIX)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                int cycle;
                try {
                    cycle = names.parseCount(n.substring(0, n.length() - SingleChronicleQueue.SUFFIX.length()));
                } catch (RuntimeException e) {
                    throw new InvalidArgumentException("rollCycle", "file " + p + " does not match roll cycle "
                            + rollCycle);
                }
                files.add(Map.entry(cycle, p));
            }
        }
        files.sort(Map.Entry.comparingByKey());
        return files;
    }

    /** Rewrites {@code file} with its first {@code keep} entries (see ChroniclePartition's torn-tail cut). */
    private static void rewrite(Path dir, int cycle, Path file, JournalRollCycle rollCycle, int maxEntryBytes,
                                String name, int id, long keep) throws IOException {
        rewrite(dir, cycle, file, rollCycle.chronicle(), rollCycle.lengthMillis(), maxEntryBytes, name, id, keep);
    }

    /**
     * Rewrites a cycle file with only its first {@code keep} valid entries: they are appended to a fresh
     * queue in {@code .recover/} whose clock is pinned to the cycle, and the new file replaces the old one
     * by an atomic rename (the torn-tail cut at open and {@link JournalCut} both use it). A crash during
     * the rewrite leaves the old file in place.
     */
    static void rewrite(Path dir, int cycle, Path file, net.openhft.chronicle.queue.RollCycle chronicleCycle,
                        long cycleLengthMillis, int maxEntryBytes, String name, int id, long keep)
            throws IOException {
        Path recoverDir = dir.resolve(".recover");
        deleteRecursively(recoverDir);
        Files.createDirectories(recoverDir);
        long cycleStart = (long) cycle * cycleLengthMillis;
        Path rebuilt;
        try (SingleChronicleQueue tmp = SingleChronicleQueueBuilder.binary(recoverDir.toFile())
                .rollCycle(chronicleCycle)
                .timeProvider(() -> cycleStart)
                .blockSize(ChroniclePartition.blockSize(maxEntryBytes))
                .build();
             ExcerptAppender a = tmp.createAppender();
             CycleFileScanner s = new CycleFileScanner(file, name, id, maxEntryBytes)) {
            long[] copied = {0};
            try {
                s.scan(0, 0, (pos, e, len) -> {
                    try (DocumentContext dc = a.writingDocument()) {
                        dc.wire().bytes().write(e, 0, len);
                    }
                    if (++copied[0] >= keep) {
                        throw new Stop();
                    }
                });
            } catch (Stop stop) {
                // all kept entries copied
            }
            rebuilt = a.currentFile().toPath();
        }
        if (!rebuilt.getFileName().equals(file.getFileName())) {
            throw new IOException("rebuilt cycle file " + rebuilt + " does not match " + file);
        }
        Fsync.file(rebuilt);
        Files.move(rebuilt, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Fsync.directory(dir);
        deleteRecursively(recoverDir);
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
