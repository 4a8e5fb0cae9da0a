package io.vecraft.storage;

import io.vecraft.api.IndexSpec;
import io.vecraft.api.Metric;
import io.vecraft.api.VerifyReport.FileKind;
import io.vecraft.api.VerifyReport.Finding;
import io.vecraft.api.VerifyReport.Status;
import io.vecraft.storage.vector.VectorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ShardVerifier}: a healthy shard, a damaged newer checkpoint, a damaged slot and payload record. */
class ShardVerifierTest {

    static final int DIM = 4;

    @TempDir
    Path dir;

    /** Two checkpoints (1 after 20 upserts, 2 after 40) and 10 more upserts after the last. */
    private void build() {
        build(ShardConfig.DEFAULT_HNSW_IMPLEMENTATION);
    }

    private void build(HnswImplementation implementation) {
        ShardConfig config = ShardConfig.builder(dir, DIM, Metric.L2).withIndex(IndexSpec.hnsw(8, 32, 32))
                .withHnswImplementation(implementation).build();
        try (Shard s = Shard.open(config)) {
            for (int i = 0; i < 50; i++) {
                s.upsert("id" + (i % 30), new float[] {i, 1, 2, 3}, Map.of("i", (long) i), "doc " + i,
                        new OpStamp(i + 1, i + 1, 2, "r", 0));
                s.markApplied(2, i + 1);
                if (i == 19 || i == 39) {
                    s.checkpoint();
                }
            }
        }
    }

    private static void flip(Path file, long pos) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x01);
        }
    }

    private static List<Finding> of(ShardVerifier.Report r, FileKind kind) {
        return r.findings().stream().filter(f -> f.kind() == kind).toList();
    }

    @Test
    void aHealthyShardVerifiesAndNamesTheCheckpointOpenRestores() {
        build();
        ShardVerifier.Report r = ShardVerifier.verify(dir);
        assertTrue(r.findings().stream().allMatch(f -> f.status() == Status.OK), r.findings().toString());
        assertEquals(2, r.restoredCheckpoint());
        assertEquals(Map.of(2, 40L), r.appliedSequences());
        for (FileKind k : List.of(FileKind.CHECKPOINT_MANIFEST, FileKind.VERSION_TABLE, FileKind.HNSW_GRAPH,
                FileKind.VECTOR_SLOTS, FileKind.PAYLOAD_LOG, FileKind.ID_MAP)) {
            assertTrue(!of(r, k).isEmpty(), "reports " + k + ": " + r.findings());
        }
    }

    @Test
    void anHnswlibGraphVerifiesAndItsDamageIsRepairable() throws IOException {
        build(HnswImplementation.HNSWLIB);
        ShardVerifier.Report ok = ShardVerifier.verify(dir);
        assertTrue(ok.findings().stream().allMatch(f -> f.status() == Status.OK), ok.findings().toString());
        assertTrue(of(ok, FileKind.HNSW_GRAPH).get(0).file().toString().endsWith("/graph.bin"), ok.findings().toString());
        flip(dir.resolve("checkpoints").resolve("2").resolve("graph.bin"), 100);
        ShardVerifier.Report r = ShardVerifier.verify(dir);
        assertEquals(1, r.restoredCheckpoint());
        assertEquals(Status.REPAIRABLE, of(r, FileKind.CHECKPOINT_MANIFEST).get(0).status(), r.findings().toString());
    }

    @Test
    void aDamagedNewerCheckpointIsRepairableAndTheOlderOneIsRestored() throws IOException {
        build();
        flip(dir.resolve("checkpoints").resolve("2").resolve("hnsw-graph.bin"), 100); // the default GraphVectorIndex
        ShardVerifier.Report r = ShardVerifier.verify(dir);
        assertEquals(1, r.restoredCheckpoint());
        Finding bad = of(r, FileKind.CHECKPOINT_MANIFEST).get(0);
        assertEquals(Status.REPAIRABLE, bad.status(), bad.toString());
        assertTrue(bad.file().toString().endsWith("hnsw-graph.bin"), bad.toString());
        assertTrue(r.findings().stream().noneMatch(f -> f.status() == Status.CORRUPT), r.findings().toString());
    }

    @Test
    void aDamagedSlotOrPayloadRecordIsCorruptWithItsOffset() throws IOException {
        build();
        long slot = VectorStore.HEADER_BYTES + 3L * VectorStore.slotBytes(DIM);
        flip(dir.resolve("vectors.dat"), slot + VectorStore.SLOT_HEADER_BYTES + 2);
        ShardVerifier.Report r = ShardVerifier.verify(dir);
        Finding f = of(r, FileKind.VECTOR_SLOTS).get(0);
        assertEquals(Status.CORRUPT, f.status(), f.toString());
        assertEquals(slot + 4, f.position());

        flip(dir.resolve("vectors.dat"), slot + VectorStore.SLOT_HEADER_BYTES + 2); // repair
        flip(dir.resolve("payload.log"), 64 + 8 + 5); // inside the first record's body
        r = ShardVerifier.verify(dir);
        f = of(r, FileKind.PAYLOAD_LOG).get(0);
        assertEquals(Status.CORRUPT, f.status(), f.toString());
        assertEquals(64, f.position());
        assertTrue(Files.exists(dir.resolve("payload.log")));
    }
}
