package io.vecraft.storage;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.Metric;
import io.vecraft.api.VerifyReport.FileKind;
import io.vecraft.api.VerifyReport.Finding;
import io.vecraft.api.VerifyReport.Status;
import io.vecraft.storage.index.GraphVectorIndex;
import io.vecraft.storage.index.HnswVectorIndex;
import io.vecraft.storage.index.VectorIndex;
import io.vecraft.storage.internal.CheckpointStore;
import io.vecraft.storage.internal.Crc;
import io.vecraft.storage.internal.PayloadLog;
import io.vecraft.storage.internal.PayloadRecord;
import io.vecraft.storage.internal.VersionTable;
import io.vecraft.storage.internal.VersionsFile;
import io.vecraft.storage.vector.VectorKernels;
import io.vecraft.storage.vector.VectorScorer;
import io.vecraft.storage.vector.VectorStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Checks a closed shard directory without changing it: the vector store header and the slot header
 * (ordinal, CRC32C) of every version of the checkpoint opening would restore, the payload log header and
 * every record up to that checkpoint's length, every checkpoint manifest and the length and CRC32C of every
 * file it lists, the version table and the HNSW graph of that checkpoint, and that every version's payload
 * record (and tombstone) names it. It reports what opening would do (FORMAT.md, "Restore"): a damaged newer
 * checkpoint with a valid older one is {@link Status#REPAIRABLE} (open falls back to the older one and the
 * journal replays the rest), no valid checkpoint while manifests exist is {@link Status#CORRUPT}.
 *
 * <p>Stateless and thread-safe. The caller makes sure the shard is not open (core holds the database lock).
 */
public final class ShardVerifier {

    /**
     * What the check found.
     *
     * @param findings          one per file or problem
     * @param restoredCheckpoint number of the checkpoint opening would restore, 0 if none
     * @param appliedSequences  its applied sequence per journal partition id (empty if none)
     */
    public record Report(List<Finding> findings, long restoredCheckpoint, Map<Integer, Long> appliedSequences) {
        /** Copies. */
        public Report {
            findings = List.copyOf(findings);
            appliedSequences = Collections.unmodifiableMap(new TreeMap<>(appliedSequences));
        }
    }

    private record VectorHeader(int dimension, Metric metric, int slotBytes) {
    }

    private ShardVerifier() {
    }

    /**
     * @param shardDir the shard directory
     * @return the findings
     */
    public static Report verify(Path shardDir) {
        List<Finding> out = new ArrayList<>();
        Path vectorsFile = shardDir.resolve(MvccShard.VECTORS_FILE);
        Path payloadFile = shardDir.resolve(MvccShard.PAYLOAD_FILE);
        VectorHeader vh = null;
        if (Files.exists(vectorsFile)) {
            try {
                vh = readVectorHeader(vectorsFile);
            } catch (CorruptedDataException e) {
                out.add(finding(e, vectorsFile, FileKind.VECTOR_SLOTS, Status.CORRUPT));
            }
        }
        boolean payloadOk = false;
        if (Files.exists(payloadFile)) {
            try {
                PayloadLog.scanReadOnly(payloadFile, PayloadLog.HEADER_BYTES, null);
                payloadOk = true;
            } catch (CorruptedDataException e) {
                out.add(finding(e, payloadFile, FileKind.PAYLOAD_LOG, Status.CORRUPT));
            }
        }
        Path cpDir = shardDir.resolve(MvccShard.CHECKPOINTS_DIR);
        CheckpointStore.Manifest chosen = null;
        List<Long> numbers = List.of();
        if (Files.isDirectory(cpDir)) {
            CheckpointStore store = new CheckpointStore(cpDir); // the directory exists: nothing is created
            numbers = store.manifestNumbers();
            CorruptedDataException firstError = null;
            for (long n : numbers) {
                Path mf = cpDir.resolve("manifest-" + n);
                if (chosen != null) {
                    out.add(checkOlder(store, n, mf, chosen.number()));
                    continue;
                }
                try {
                    CheckpointStore.Manifest m = store.readVerified(n);
                    checkAgainstData(m, vh, vectorsFile, payloadFile, mf);
                    chosen = m;
                    out.add(new Finding(mf, FileKind.CHECKPOINT_MANIFEST, Status.OK, -1, "checkpoint " + n
                            + " (restored at open): " + m.files().size() + " file(s) match their length and CRC32C, "
                            + m.highWater() + " ordinals, applied " + m.applied()));
                } catch (CorruptedDataException e) {
                    firstError = firstError == null ? e : firstError;
                    out.add(new Finding(Path.of(e.location()), FileKind.CHECKPOINT_MANIFEST, Status.REPAIRABLE,
                            e.position(), "checkpoint " + n + " is invalid (" + e.getMessage()
                            + "); open falls back to an older checkpoint and replays the journal"));
                }
            }
            if (chosen == null && firstError != null) {
                // no valid checkpoint: opening fails with the first error
                List<Finding> fixed = new ArrayList<>();
                for (Finding f : out) {
                    fixed.add(f.kind() == FileKind.CHECKPOINT_MANIFEST && f.status() == Status.REPAIRABLE
                            ? new Finding(f.file(), f.kind(), Status.CORRUPT, f.position(),
                            f.message().replace("open falls back to an older checkpoint and replays the journal",
                                    "no valid checkpoint is left: open fails"))
                            : f);
                }
                out = fixed;
            }
        }
        if (chosen == null) {
            if (numbers.isEmpty()) {
                out.add(new Finding(shardDir, FileKind.CHECKPOINT_MANIFEST, Status.OK, -1,
                        "no checkpoint: opening replays the journal from the collection's creation"));
            }
            if (vh != null) {
                out.add(new Finding(vectorsFile, FileKind.VECTOR_SLOTS, Status.OK, -1, "header valid (dimension "
                        + vh.dimension() + ", " + vh.metric() + "); no checkpoint references its slots"));
            }
            if (payloadOk) {
                out.add(new Finding(payloadFile, FileKind.PAYLOAD_LOG, Status.OK, -1,
                        "header valid; no checkpoint references its records"));
            }
        } else {
            verifyCheckpointData(chosen, cpDir, vh, vectorsFile, payloadFile, out);
        }
        Path idmap = shardDir.resolve(MvccShard.IDMAP_DIR);
        if (Files.isDirectory(idmap)) {
            try (Stream<Path> s = Files.list(idmap)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    out.add(new Finding(p, FileKind.ID_MAP, Status.OK, -1, "Chronicle Map id index (" + Files.size(p)
                            + " bytes): derived state, rebuilt from the restored checkpoint at every open and never"
                            + " read before that, so its content cannot affect what is served"));
                }
            } catch (IOException e) {
                out.add(new Finding(idmap, FileKind.ID_MAP, Status.REPAIRABLE, -1, "cannot list (" + e
                        + "); rebuilt at open"));
            }
        }
        return new Report(out, chosen == null ? 0 : chosen.number(), chosen == null ? Map.of() : chosen.applied());
    }

    private static Finding checkOlder(CheckpointStore store, long n, Path mf, long chosen) {
        try {
            store.readVerified(n);
            return new Finding(mf, FileKind.CHECKPOINT_MANIFEST, Status.OK, -1, "checkpoint " + n
                    + " (older than the restored " + chosen + ", kept as a fallback) verifies");
        } catch (CorruptedDataException e) {
            return new Finding(Path.of(e.location()), FileKind.CHECKPOINT_MANIFEST, Status.REPAIRABLE, e.position(),
                    "older checkpoint " + n + " is invalid (" + e.getMessage() + "); not used, deleted by retention");
        }
    }

    private static void checkAgainstData(CheckpointStore.Manifest m, VectorHeader vh, Path vectorsFile,
                                         Path payloadFile, Path mf) {
        if (vh == null) {
            throw new CorruptedDataException(vectorsFile.toString(), 0, "checkpoint " + m.number()
                    + " needs the vector store, which is missing or has a bad header");
        }
        if (m.dimension() != vh.dimension() || VectorStore.metricOf(m.metricCode(), mf.toString()) != vh.metric()) {
            throw new CorruptedDataException(mf.toString(), 32, "checkpoint holds dimension " + m.dimension()
                    + " and metric code " + m.metricCode() + ", the vector store " + vh.dimension() + "/" + vh.metric());
        }
        long needVectors = VectorStore.HEADER_BYTES + (long) m.highWater() * vh.slotBytes();
        long have = size(vectorsFile);
        if (have < needVectors) {
            throw new CorruptedDataException(vectorsFile.toString(), have, "checkpoint " + m.number() + " needs "
                    + needVectors + " bytes of vector slots");
        }
        long payload = Files.exists(payloadFile) ? size(payloadFile) : 0;
        if (payload < m.payloadLength()) {
            throw new CorruptedDataException(payloadFile.toString(), payload, "checkpoint " + m.number() + " needs "
                    + m.payloadLength() + " bytes of payload log");
        }
    }

    private static void verifyCheckpointData(CheckpointStore.Manifest m, Path cpDir, VectorHeader vh, Path vectorsFile,
                                             Path payloadFile, List<Finding> out) {
        Path dir = cpDir.resolve(Long.toString(m.number()));
        Path versionsFile = dir.resolve(MvccShard.VERSIONS_FILE);
        VersionTable table = new VersionTable();
        try {
            List<VersionsFile.FreeSlot> free = VersionsFile.read(versionsFile, table, m.highWater(), m.payloadLength());
            out.add(new Finding(versionsFile, FileKind.VERSION_TABLE, Status.OK, -1, m.highWater() + " entries, "
                    + free.size() + " free"));
        } catch (CorruptedDataException e) {
            out.add(finding(e, versionsFile, FileKind.VERSION_TABLE, Status.CORRUPT));
            return;
        }
        // payload log: every record up to the checkpoint's length, then the versions' records
        Map<Long, PayloadRecord> records = new HashMap<>();
        try {
            long n = PayloadLog.scanReadOnly(payloadFile, m.payloadLength(), (off, r) -> records.put(off, r));
            long after = size(payloadFile) - m.payloadLength();
            out.add(new Finding(payloadFile, FileKind.PAYLOAD_LOG, Status.OK, -1, n + " records up to byte "
                    + m.payloadLength() + " match their CRC32C" + (after > 0 ? "; the " + after
                    + " bytes after it belong to later operations (cut at open, replayed from the journal)" : "")));
        } catch (CorruptedDataException e) {
            out.add(finding(e, payloadFile, FileKind.PAYLOAD_LOG, Status.CORRUPT));
            return;
        }
        int versions = 0;
        for (int o = 0; o < m.highWater(); o++) {
            if (table.isFree(o)) {
                continue;
            }
            versions++;
            PayloadRecord r = records.get(table.payload(o));
            if (r == null || r.kind() != PayloadRecord.UPSERT || r.ordinal() != o) {
                out.add(new Finding(payloadFile, FileKind.PAYLOAD_LOG, Status.CORRUPT, table.payload(o),
                        "the version table expects the upsert record of ordinal " + o + " here, found " + r));
                return;
            }
            long t = table.tombstone(o);
            if (t >= 0) {
                PayloadRecord tr = records.get(t);
                if (tr == null || tr.kind() != PayloadRecord.DELETE || tr.ordinal() != o) {
                    out.add(new Finding(payloadFile, FileKind.PAYLOAD_LOG, Status.CORRUPT, t,
                            "the version table expects the tombstone of ordinal " + o + " here, found " + tr));
                    return;
                }
            }
        }
        // vector slots of every version
        try (FileChannel ch = FileChannel.open(vectorsFile, StandardOpenOption.READ)) {
            ByteBuffer slot = ByteBuffer.allocate(vh.slotBytes()).order(ByteOrder.LITTLE_ENDIAN);
            for (int o = 0; o < m.highWater(); o++) {
                if (table.isFree(o)) {
                    continue;
                }
                long at = VectorStore.HEADER_BYTES + (long) o * vh.slotBytes();
                slot.clear();
                while (slot.hasRemaining()) {
                    if (ch.read(slot, at + slot.position()) < 0) {
                        throw new CorruptedDataException(vectorsFile.toString(), at, "file ends inside slot " + o);
                    }
                }
                int stored = slot.getInt(0);
                if (stored != o) {
                    throw new CorruptedDataException(vectorsFile.toString(), at, "slot header names ordinal " + stored
                            + ", expected " + o);
                }
                int crc = Crc.crc32c(slot.array(), VectorStore.SLOT_HEADER_BYTES, 4 * vh.dimension());
                if (crc != slot.getInt(4)) {
                    throw new CorruptedDataException(vectorsFile.toString(), at + 4, "slot CRC32C mismatch for ordinal "
                            + o + ": computed 0x" + Integer.toHexString(crc) + ", stored 0x"
                            + Integer.toHexString(slot.getInt(4)));
                }
            }
            out.add(new Finding(vectorsFile, FileKind.VECTOR_SLOTS, Status.OK, -1, "header valid; slot headers of "
                    + versions + " versions match their ordinal and CRC32C"));
        } catch (CorruptedDataException e) {
            out.add(finding(e, vectorsFile, FileKind.VECTOR_SLOTS, Status.CORRUPT));
        } catch (IOException e) {
            out.add(new Finding(vectorsFile, FileKind.VECTOR_SLOTS, Status.CORRUPT, -1, "unreadable: " + e));
        }
        if (m.indexKind() == CheckpointStore.INDEX_HNSW || m.indexKind() == CheckpointStore.INDEX_GRAPH) {
            boolean layered = m.indexKind() == CheckpointStore.INDEX_GRAPH;
            Path graph = dir.resolve(layered ? MvccShard.LAYERED_GRAPH_FILE : MvccShard.GRAPH_FILE);
            try (VectorStore vs = VectorStore.open(vectorsFile, vh.dimension(), vh.metric(),
                    VectorStore.DEFAULT_CHUNK_BYTES)) { // the file exists: opening only reads its header
                VectorScorer scorer = new VectorScorer(vs, VectorKernels.preferred());
                VectorIndex index = layered
                        ? GraphVectorIndex.load(graph, scorer, m.m(), m.efConstruction(), io.vecraft.api.IndexSpec.DEFAULT_EF)
                        : HnswVectorIndex.load(graph, scorer, m.m(), m.efConstruction(), io.vecraft.api.IndexSpec.DEFAULT_EF);
                int missing = 0;
                for (int o = 0; o < m.highWater(); o++) {
                    if (!table.isFree(o) && !index.contains(o)) {
                        missing++;
                    }
                }
                out.add(new Finding(graph, FileKind.HNSW_GRAPH, Status.OK, -1, "graph loads: " + index.size()
                        + " nodes" + (missing > 0 ? "; " + missing + " versions are not in it (added at open)" : "")));
                index.close();
            } catch (CorruptedDataException e) {
                out.add(finding(e, graph, FileKind.HNSW_GRAPH, Status.CORRUPT));
            } catch (RuntimeException e) {
                out.add(new Finding(graph, FileKind.HNSW_GRAPH, Status.CORRUPT, -1, "cannot load: " + e));
            }
        }
    }

    private static VectorHeader readVectorHeader(Path file) {
        String loc = file.toString();
        ByteBuffer h = ByteBuffer.allocate(VectorStore.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (h.hasRemaining()) {
                if (ch.read(h, h.position()) < 0) {
                    throw new CorruptedDataException(loc, h.position(), "vector store header truncated");
                }
            }
        } catch (IOException e) {
            throw new CorruptedDataException(loc, -1, "unreadable: " + e, e);
        }
        if (h.getLong(0) != VectorStore.MAGIC) {
            throw new CorruptedDataException(loc, 0, "bad magic 0x" + Long.toHexString(h.getLong(0)));
        }
        int crc = Crc.crc32c(h.array(), 0, 60);
        if (crc != h.getInt(60)) {
            throw new CorruptedDataException(loc, 60, "header CRC32C mismatch");
        }
        if (h.getInt(8) != VectorStore.FORMAT_VERSION) {
            throw new CorruptedDataException(loc, 8, "unsupported format version " + h.getInt(8));
        }
        int dim = h.getInt(12);
        Metric metric = VectorStore.metricOf(h.getInt(16), loc);
        if (dim < 1 || h.getInt(20) != VectorStore.slotBytes(dim)) {
            throw new CorruptedDataException(loc, 20, "slot size " + h.getInt(20) + " does not fit dimension " + dim);
        }
        int perChunk = h.getInt(24);
        if (perChunk <= 0 || Integer.bitCount(perChunk) != 1) {
            throw new CorruptedDataException(loc, 24, "slots per chunk must be a power of two, was " + perChunk);
        }
        return new VectorHeader(dim, metric, h.getInt(20));
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static Finding finding(CorruptedDataException e, Path fallback, FileKind kind, Status status) {
        Path file = e.location() == null ? fallback : Path.of(e.location());
        return new Finding(file, kind, status, e.position(), e.getMessage());
    }
}
