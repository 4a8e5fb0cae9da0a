package io.vecraft.core;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.NotFoundException;
import io.vecraft.api.VecraftException;
import io.vecraft.api.VecraftIOException;
import io.vecraft.api.VerifyReport;
import io.vecraft.api.VerifyReport.FileKind;
import io.vecraft.api.VerifyReport.Finding;
import io.vecraft.api.VerifyReport.Status;
import io.vecraft.cluster.spi.wal.CreateCollectionEntry;
import io.vecraft.journal.JournalVerifier;
import io.vecraft.storage.ShardVerifier;
import java.io.IOException;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * {@link io.vecraft.api.Vecraft#verify}: checks every file of a closed database directory without changing
 * anything (the journal through {@link JournalVerifier}, each shard through {@link ShardVerifier}, the
 * catalog and {@code vecraft.meta} here), then cross-checks them: no shard checkpoint, collection creation or
 * catalog may have applied journal sequences the journal does not hold (opening would refuse that).
 *
 * <p>Holds the directory lock while it runs. Stateless; thread-safe.
 */
final class DirectoryVerifier {
    private DirectoryVerifier() {
    }

    static VerifyReport verify(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new NotFoundException("data directory", dir.toString());
        }
        Path lockFile = dir.resolve("vecraft.lock");
        FileChannel channel = null;
        FileLock lock = null;
        try {
            if (Files.exists(lockFile)) {
                channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    throw new VecraftException("data directory " + dir + " is open (lock file " + lockFile
                            + " is held): close the database before verifying it");
                }
            }
            return check(dir);
        } catch (IOException e) {
            throw new VecraftIOException("cannot lock " + lockFile + " for verification", e);
        } finally {
            try {
                if (lock != null) {
                    lock.release();
                }
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // released with the channel anyway
            }
        }
    }

    private static VerifyReport check(Path dir) {
        List<Finding> out = new ArrayList<>();
        Path meta = dir.resolve("vecraft.meta");
        if (Files.exists(meta)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
                p.load(r);
                int version = Integer.parseInt(p.getProperty("layoutVersion", "0"));
                int partitions = Integer.parseInt(p.getProperty("dataPartitions", "0"));
                boolean ok = version == 1 && partitions >= 1;
                out.add(new Finding(meta, FileKind.DATABASE_META, ok ? Status.OK : Status.CORRUPT, ok ? -1 : 0,
                        "layout version " + version + ", " + partitions + " data partitions"));
            } catch (IOException | RuntimeException e) {
                out.add(new Finding(meta, FileKind.DATABASE_META, Status.CORRUPT, 0, "unreadable: " + e));
            }
        }
        Path journalDir = dir.resolve("journal");
        List<Long> heads = new ArrayList<>();
        List<String> partitionNames = new ArrayList<>();
        boolean journalKnown = false;
        if (Files.isDirectory(journalDir)) {
            JournalVerifier.Report jr = JournalVerifier.verify(journalDir);
            out.addAll(jr.findings());
            for (Map.Entry<String, Long> e : jr.headSequences().entrySet()) {
                partitionNames.add(e.getKey());
                heads.add(e.getValue());
            }
            journalKnown = jr.findings().stream().noneMatch(f -> f.kind() == FileKind.JOURNAL_MANIFEST
                    && f.status() != Status.OK);
        }
        Path catalogDir = dir.resolve("catalog");
        Path catalogFile = catalogDir.resolve(CatalogFile.FILE_NAME);
        if (Files.exists(catalogFile)) {
            try {
                CatalogFile.Contents c = CatalogFile.read(catalogDir);
                out.add(new Finding(catalogFile, FileKind.CATALOG, Status.OK, -1, c.collections().size()
                        + " collection(s), system partition applied up to sequence " + c.systemSequence()));
                if (journalKnown) {
                    crossCheck(out, catalogFile, "the catalog", PartitionLayout.SYSTEM_ID, c.systemSequence(),
                            partitionNames, heads);
                    for (CreateCollectionEntry e : c.collections().values()) {
                        for (Map.Entry<Integer, Long> s : e.startSequences().entrySet()) {
                            crossCheck(out, catalogFile, "collection " + e.spec().name() + " (created at)", s.getKey(),
                                    s.getValue(), partitionNames, heads);
                        }
                    }
                }
            } catch (CorruptedDataException e) {
                out.add(new Finding(catalogFile, FileKind.CATALOG, Status.CORRUPT, e.position(), e.getMessage()));
            } catch (VecraftException e) {
                out.add(new Finding(catalogFile, FileKind.CATALOG, Status.CORRUPT, -1, e.getMessage()));
            }
        }
        Path collections = dir.resolve("collections");
        if (Files.isDirectory(collections)) {
            for (Path coll : list(collections)) {
                for (Path shard : list(coll)) {
                    if (!Files.isDirectory(shard) || !shard.getFileName().toString().startsWith("shard-")) {
                        continue;
                    }
                    ShardVerifier.Report sr = ShardVerifier.verify(shard);
                    out.addAll(sr.findings());
                    if (journalKnown && sr.restoredCheckpoint() > 0) {
                        Path manifest = shard.resolve("checkpoints").resolve("manifest-" + sr.restoredCheckpoint());
                        for (Map.Entry<Integer, Long> a : sr.appliedSequences().entrySet()) {
                            crossCheck(out, manifest, "shard " + coll.getFileName() + "/" + shard.getFileName(),
                                    a.getKey(), a.getValue(), partitionNames, heads);
                        }
                    }
                }
            }
        }
        return new VerifyReport(dir, out);
    }

    private static void crossCheck(List<Finding> out, Path file, String who, int partitionId, long applied,
                                   List<String> names, List<Long> heads) {
        if (partitionId < 0 || partitionId >= heads.size()) {
            out.add(new Finding(file, FileKind.CROSS_CHECK, Status.CORRUPT, -1, who + " refers to journal partition #"
                    + partitionId + ", which the journal does not have"));
            return;
        }
        long head = heads.get(partitionId);
        if (applied > head) {
            out.add(new Finding(file, FileKind.CROSS_CHECK, Status.CORRUPT, head + 1, who + " has applied journal"
                    + " partition " + names.get(partitionId) + " up to sequence " + applied + " but the journal ends at "
                    + head + ": entries were lost; opening refuses this"));
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new VecraftIOException("cannot list " + dir, e);
        }
    }
}
