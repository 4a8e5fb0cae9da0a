package io.vecraft.core;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.RestorePoint;
import io.vecraft.api.RestoreReport;
import io.vecraft.api.SnapshotDestination;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.VerifyReport;
import io.vecraft.api.VerifyReport.FileKind;
import io.vecraft.api.VerifyReport.Finding;
import io.vecraft.api.VerifyReport.Status;
import io.vecraft.journal.JournalConfig;
import io.vecraft.journal.JournalCut;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore and verification of snapshots written by {@link EmbeddedVecraft#snapshot}; the format
 * is in FORMAT-SNAPSHOT.md and {@link SnapshotManifest}.
 *
 * <p><b>Restore.</b> Verify every file; copy the journal; cut every partition at the restore
 * point (a consistent HLC cut, see {@link RestorePoint}) with {@link JournalCut}; copy the catalog
 * if it has applied no more of the system partition than the cut keeps (else the catalog is
 * rebuilt from the system partition at open); copy each shard whose checkpoint has applied no
 * more of any partition than the cut keeps (else the shard is left out and rebuilt from the journal
 * at open). A rebuild needs the journal from the start; if the snapshot's journal was trimmed by
 * retention the restore refuses a point before the checkpoints. Everything copied is forced before
 * the call returns; a failed restore removes what it wrote.
 *
 * <p>Stateless; thread-safe (a given target must be restored by one caller).
 */
final class Snapshots {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);

    private Snapshots() {
    }

    // ------------------------------------------------------------------ verify

    static VerifyReport verify(Path snapshot) {
        if (!Files.isDirectory(snapshot)) {
            throw new NotFoundException("snapshot directory", String.valueOf(snapshot));
        }
        List<Finding> findings = new ArrayList<>();
        Path mf = snapshot.resolve(SnapshotDestination.MANIFEST);
        SnapshotManifest m;
        try {
            if (!Files.exists(mf)) {
                findings.add(new Finding(mf, FileKind.SNAPSHOT_MANIFEST, Status.CORRUPT, -1,
                        "missing: the snapshot is incomplete (the manifest is written last)"));
                return new VerifyReport(snapshot, findings);
            }
            m = SnapshotManifest.decode(Files.readAllBytes(mf), mf.toString());
            findings.add(new Finding(mf, FileKind.SNAPSHOT_MANIFEST, Status.OK, -1, m.files().size()
                    + " files, " + m.shards().size() + " shard checkpoints, " + m.partitions().size()
                    + " journal partitions, CRC32C ok"));
        } catch (CorruptedDataException e) {
            findings.add(new Finding(mf, FileKind.SNAPSHOT_MANIFEST, Status.CORRUPT, e.position(), e.getMessage()));
            return new VerifyReport(snapshot, findings);
        } catch (IOException e) {
            findings.add(new Finding(mf, FileKind.SNAPSHOT_MANIFEST, Status.CORRUPT, -1, "unreadable: " + e));
            return new VerifyReport(snapshot, findings);
        }
        for (SnapshotManifest.FileEntry f : m.files()) {
            Path p = snapshot.resolve(f.path());
            if (!Files.isRegularFile(p)) {
                findings.add(new Finding(p, FileKind.SNAPSHOT_FILE, Status.CORRUPT, -1, "missing"));
                continue;
            }
            try {
                FileCopy.Copied c = FileCopy.checksum(p);
                if (c.length() != f.length()) {
                    findings.add(new Finding(p, FileKind.SNAPSHOT_FILE, Status.CORRUPT, Math.min(c.length(), f.length()),
                            "length " + c.length() + ", manifest says " + f.length()));
                } else if (c.crc() != f.crc()) {
                    findings.add(new Finding(p, FileKind.SNAPSHOT_FILE, Status.CORRUPT, -1, String.format(
                            "CRC32C %08x, manifest says %08x", c.crc(), f.crc())));
                } else {
                    findings.add(new Finding(p, FileKind.SNAPSHOT_FILE, Status.OK, -1, f.length() + " bytes, CRC32C ok"));
                }
            } catch (IOException e) {
                findings.add(new Finding(p, FileKind.SNAPSHOT_FILE, Status.CORRUPT, -1, "unreadable: " + e));
            }
        }
        return new VerifyReport(snapshot, findings);
    }

    // ------------------------------------------------------------------ restore

    static RestoreReport restore(Path snapshot, Path target, RestorePoint point) {
        VerifyReport report = verify(snapshot);
        if (!report.ok()) {
            Finding f = report.problems().get(0);
            throw new CorruptedDataException(f.file().toString(), f.position(), "snapshot " + snapshot
                    + " fails verification (" + report.problems().size() + " problem(s)): " + f.message());
        }
        SnapshotManifest m;
        try {
            m = SnapshotManifest.decode(Files.readAllBytes(snapshot.resolve(SnapshotDestination.MANIFEST)),
                    snapshot.toString());
        } catch (IOException e) {
            throw new VecraftIOException("cannot read the manifest of " + snapshot, e);
        }
        checkTargetEmpty(target);
        Set<Path> written = new LinkedHashSet<>();
        try {
            Files.createDirectories(target);
            for (SnapshotManifest.FileEntry f : m.files()) {
                if (f.path().equals("vecraft.meta") || f.path().startsWith("journal/")) {
                    copy(snapshot, target, f, written);
                }
            }
            Map<Integer, Long> cut = cutJournal(target, m, point);
            Map<String, Long> lastSequences = new TreeMap<>();
            long cutHlc = 0;
            for (SnapshotManifest.Partition p : m.partitions()) {
                lastSequences.put(p.name(), cut.get(p.id()));
            }
            cutHlc = cut.getOrDefault(-1, 0L);
            boolean catalogRebuilt = false;
            if (m.catalogSequence() > 0) {
                if (m.catalogSequence() <= cut.get(PartitionLayout.SYSTEM_ID)) {
                    for (SnapshotManifest.FileEntry f : m.files()) {
                        if (f.path().startsWith("catalog/")) {
                            copy(snapshot, target, f, written);
                        }
                    }
                } else {
                    requireFullJournal(m, PartitionLayout.SYSTEM_ID, "the catalog");
                    catalogRebuilt = true;
                }
            }
            List<String> fromCheckpoint = new ArrayList<>();
            List<String> rebuilt = new ArrayList<>();
            for (SnapshotManifest.ShardEntry s : m.shards()) {
                boolean usable = s.applied().entrySet().stream()
                        .allMatch(e -> e.getValue() <= cut.getOrDefault(e.getKey(), 0L));
                if (usable) {
                    String prefix = s.directory() + "/";
                    for (SnapshotManifest.FileEntry f : m.files()) {
                        if (f.path().startsWith(prefix)) {
                            copy(snapshot, target, f, written);
                        }
                    }
                    fromCheckpoint.add(s.directory());
                } else {
                    for (int pid : s.applied().keySet()) {
                        requireFullJournal(m, pid, "shard " + s.directory());
                    }
                    rebuilt.add(s.directory());
                }
            }
            forceAll(target, written);
            RestoreReport r = new RestoreReport(target, point, cutHlc, lastSequences, fromCheckpoint, rebuilt,
                    catalogRebuilt);
            LOG.info("restored snapshot {} into {} at {}: last sequences {}, {} shard(s) from checkpoints, "
                    + "{} rebuilt from the journal", snapshot, target, point, lastSequences, fromCheckpoint.size(),
                    rebuilt.size());
            return r;
        } catch (IOException | RuntimeException e) {
            deleteContents(target);
            if (e instanceof IOException io) {
                throw new VecraftIOException("restore of " + snapshot + " into " + target + " failed: " + io, io);
            }
            throw (RuntimeException) e;
        }
    }

    private static void requireFullJournal(SnapshotManifest m, int pid, String what) {
        for (SnapshotManifest.Partition p : m.partitions()) {
            if (p.id() == pid && p.first() > 1) {
                throw new InvalidArgumentException("point", "is before the checkpoint of " + what + " in the "
                        + "snapshot, and its journal partition " + p.name() + " starts at sequence " + p.first()
                        + " (older entries were deleted by journal retention), so it cannot be rebuilt: choose a "
                        + "later point or an older snapshot");
            }
        }
    }

    /** Cuts every partition; returns the last kept sequence per partition id, and the cut HLC under key -1. */
    private static Map<Integer, Long> cutJournal(Path target, SnapshotManifest m, RestorePoint point) {
        Map<Integer, Long> out = new TreeMap<>();
        // The latest consistent state is the manifest's HLC: every partition holds every entry stamped
        // up to it, while the recorded heads were taken one after another during writes and may
        // include later entries of some partitions only. An earlier HLC is as consistent.
        long maxHlc = m.hlc();
        SnapshotManifest.Partition named = null;
        if (point instanceof RestorePoint.AtHlc h) {
            maxHlc = Math.min(h.hlc(), m.hlc());
        } else if (point instanceof RestorePoint.AtSequence s) {
            for (SnapshotManifest.Partition p : m.partitions()) {
                if (p.name().equals(s.partition())) {
                    named = p;
                }
            }
            if (named == null) {
                throw new InvalidArgumentException("point.partition", "no journal partition '" + s.partition()
                        + "' in the snapshot; it has " + m.partitions().stream().map(SnapshotManifest.Partition::name)
                        .toList());
            }
            if (s.sequence() < named.first() || s.sequence() > named.head()) {
                throw new InvalidArgumentException("point.sequence", "must be " + named.first() + " to "
                        + named.head() + " (what the snapshot holds of " + named.name() + "), was " + s.sequence());
            }
            JournalCut.Result r = cut(target, m, named, s.sequence(), Long.MAX_VALUE);
            if (r.lastSequence() != s.sequence()) {
                throw new CorruptedDataException(named.name(), s.sequence(), "entry " + s.sequence()
                        + " not found in the snapshot's journal (it ends at " + r.lastSequence() + ")");
            }
            if (r.lastHlc() > m.hlc()) {
                // Written while the snapshot was taken: the partitions' heads were read one after another, so
                // another partition's copy may lack entries stamped before this one. Cutting there would not be
                // a consistent state; name the latest point that is (the target is removed on the way out).
                long latest = cut(target, m, named, s.sequence(), m.hlc()).lastSequence();
                throw new InvalidArgumentException("point.sequence", "entry " + s.sequence() + " of " + named.name()
                        + " has HLC " + r.lastHlc() + ", after the snapshot's consistent point " + m.hlc()
                        + " (it was written while the snapshot was taken, and other partitions' copies may lack"
                        + " entries stamped before it); the latest sequence of " + named.name()
                        + " that restores to a consistent state is " + latest);
            }
            out.put(named.id(), r.lastSequence());
            maxHlc = r.lastHlc();
        }
        long cutHlc = named == null ? 0 : maxHlc;
        for (SnapshotManifest.Partition p : m.partitions()) {
            if (p == named) {
                continue;
            }
            JournalCut.Result r = cut(target, m, p, p.head(), maxHlc);
            if (r.lastSequence() == 0 && p.first() > 1) {
                throw new InvalidArgumentException("point", "is before the first entry the snapshot holds of "
                        + "journal partition " + p.name() + " (sequence " + p.first() + ")");
            }
            out.put(p.id(), r.lastSequence());
            cutHlc = Math.max(cutHlc, r.lastHlc());
        }
        out.put(-1, cutHlc);
        return out;
    }

    private static JournalCut.Result cut(Path target, SnapshotManifest m, SnapshotManifest.Partition p, long maxSeq,
                                         long maxHlc) {
        Path dir = target.resolve("journal").resolve(p.name());
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir); // a partition without cycle files
            } catch (IOException e) {
                throw new VecraftIOException("cannot create " + dir, e);
            }
        }
        io.vecraft.journal.JournalRollCycle rollCycle;
        try {
            rollCycle = io.vecraft.journal.JournalRollCycle.valueOf(m.rollCycle());
        } catch (IllegalArgumentException e) {
            throw new CorruptedDataException(SnapshotDestination.MANIFEST, -1, "unknown roll cycle " + m.rollCycle());
        }
        return JournalCut.cut(dir, p.name(), p.id(), rollCycle,
                m.maxEntryBytes() > 0 ? m.maxEntryBytes() : JournalConfig.MAX_PAYLOAD_BYTES,
                maxSeq, maxHlc);
    }

    private static void copy(Path snapshot, Path target, SnapshotManifest.FileEntry f, Set<Path> written)
            throws IOException {
        Path src = snapshot.resolve(f.path());
        Path dst = target.resolve(f.path());
        Files.createDirectories(dst.getParent());
        try (FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            FileCopy.Copied c = FileCopy.copy(src, f.length(), out);
            if (c.crc() != f.crc()) {
                throw new CorruptedDataException(src.toString(), -1, "changed while restoring (CRC32C mismatch)");
            }
        }
        written.add(dst);
    }

    private static void forceAll(Path target, Set<Path> written) throws IOException {
        Set<Path> dirs = new LinkedHashSet<>();
        try (Stream<Path> walk = Files.walk(target)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                } else if (Files.isDirectory(p)) {
                    dirs.add(p);
                }
            }
        }
        List<Path> ordered = new ArrayList<>(dirs);
        ordered.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path d : ordered) {
            Fsync.directory(d);
        }
    }

    private static void checkTargetEmpty(Path target) {
        if (!Files.exists(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new InvalidArgumentException("target", target + " is not a directory");
        }
        try (Stream<Path> s = Files.list(target)) {
            if (s.findAny().isPresent()) {
                throw new InvalidArgumentException("target", target + " is not empty; restore needs an absent or "
                        + "empty directory");
            }
        } catch (IOException e) {
            throw new VecraftIOException("cannot list " + target, e);
        }
    }

    private static void deleteContents(Path target) {
        try (Stream<Path> walk = Files.walk(target)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!q.equals(target)) {
                    Files.deleteIfExists(q);
                }
            }
        } catch (IOException e) {
            LOG.warn("could not remove the partial restore in {}", target, e);
        }
    }
}
