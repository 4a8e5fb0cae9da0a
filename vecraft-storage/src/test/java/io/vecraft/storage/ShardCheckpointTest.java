package io.vecraft.storage;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.Metric;
import io.vecraft.storage.index.GraphVectorIndex;
import io.vecraft.storage.internal.CheckpointStore;
import io.vecraft.storage.index.HnswVectorIndex;
import io.vecraft.storage.index.VectorIndex;
import io.vecraft.storage.testing.ModelShard;
import io.vecraft.storage.testing.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoint, restore, partial and corrupt checkpoints, corruption of the data files. */
class ShardCheckpointTest {

    static final int DIM = 4;

    @TempDir
    Path dir;

    /** One applied operation, so models can be rebuilt up to any point. */
    record Op(boolean upsert, String id, float[] vector, Map<String, Object> metadata, String document, long hlc) {
    }

    static List<Op> randomOps(Random rnd, int n, long startHlc) {
        List<Op> ops = new ArrayList<>();
        long hlc = startHlc;
        for (int i = 0; i < n; i++) {
            hlc += 1 + rnd.nextInt(2);
            String id = "id" + rnd.nextInt(50);
            ops.add(rnd.nextInt(10) < 8
                    ? new Op(true, id, Seeds.vector(rnd, DIM), ShardMvccPropertyTest.metadata(rnd),
                    ShardMvccPropertyTest.document(rnd), hlc)
                    : new Op(false, id, null, null, null, hlc));
        }
        return ops;
    }

    static void apply(Shard shard, ModelShard model, List<Op> ops) {
        for (Op op : ops) {
            OpStamp stamp = new OpStamp(op.hlc(), op.hlc(), 1, "r" + op.hlc(), 0);
            if (op.upsert()) {
                if (shard != null) {
                    shard.upsert(op.id(), op.vector(), op.metadata(), op.document(), stamp);
                }
                model.upsert(op.id(), op.vector(), op.metadata(), op.document(), op.hlc());
            } else {
                boolean existed = model.delete(op.id(), op.hlc());
                if (shard != null) {
                    assertEquals(existed, shard.delete(op.id(), stamp));
                }
            }
            if (shard != null) {
                shard.markApplied(1, op.hlc());
            }
        }
    }

    static ShardConfig config(Path dir, IndexSpec spec) {
        return config(dir, spec, ShardConfig.DEFAULT_HNSW_IMPLEMENTATION);
    }

    static ShardConfig config(Path dir, IndexSpec spec, HnswImplementation impl) {
        return ShardConfig.builder(dir, DIM, Metric.L2).withIndex(spec).withHnswImplementation(impl).withInitialCapacity(16)
                .withVectorChunkBytes(64 << 10).withPayloadChunkBytes(64 << 10).build();
    }

    static Stream<Arguments> specs() {
        return Stream.of(Arguments.of(IndexSpec.exact(), HnswImplementation.GRAPH),
                Arguments.of(IndexSpec.hnsw(16, 64, 32), HnswImplementation.GRAPH),
                Arguments.of(IndexSpec.hnsw(16, 64, 32), HnswImplementation.HNSWLIB));
    }

    static void assertSameHistories(Shard a, Shard b, ModelShard model) {
        for (String id : model.versions.keySet()) {
            List<StoredVersion> ha = a.history(id);
            List<StoredVersion> hb = b.history(id);
            assertEquals(ha.size(), hb.size(), "history size of " + id);
            for (int i = 0; i < ha.size(); i++) {
                StoredVersion x = ha.get(i);
                StoredVersion y = hb.get(i);
                assertEquals(x.op(), y.op());
                assertEquals(x.createdHlc(), y.createdHlc());
                assertEquals(x.deletedHlc(), y.deletedHlc());
                assertEquals(x.sequence(), y.sequence());
                assertEquals(x.requestId(), y.requestId());
                assertEquals(x.metadata(), y.metadata());
                assertEquals(x.document(), y.document());
                assertTrue(java.util.Arrays.equals(x.vector(), y.vector()));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void checkpointThenReopenEqualsTheLiveState(IndexSpec spec, HnswImplementation impl) {
        Random rnd = Seeds.random("checkpointReopen " + spec + " " + impl);
        ModelShard model = new ModelShard(Metric.L2);
        List<Op> ops = randomOps(rnd, 400, 0);
        long maxHlc = ops.get(ops.size() - 1).hlc();
        Path live = dir.resolve("live");
        try (Shard shard = Shard.open(config(live, spec, impl))) {
            apply(shard, model, ops.subList(0, 200));
            CheckpointInfo first = shard.checkpoint();
            assertEquals(Map.of(1, ops.get(199).hlc()), first.appliedSequences());
            apply(shard, model, ops.subList(200, 400));
            CheckpointInfo second = shard.checkpoint();
            assertTrue(Files.isDirectory(second.directory()));
            assertEquals(shard.stats().versions(), second.versions());
            ShardStats before = shard.stats();
            try (Shard reference = Shard.open(config(dir.resolve("ref"), spec, impl))) {
                apply(reference, new ModelShard(Metric.L2), ops);
                shard.close();
                try (Shard reopened = Shard.open(config(live, spec, impl))) {
                    assertEquals(Map.of(1, maxHlc), reopened.appliedSequences());
                    ShardStats after = reopened.stats();
                    assertEquals(before.liveRecords(), after.liveRecords());
                    assertEquals(before.versions(), after.versions());
                    assertEquals(before.tombstones(), after.tombstones());
                    ShardMvccPropertyTest.check(reopened, model, rnd, maxHlc, Metric.L2, spec, 15);
                    assertSameHistories(reference, reopened, model);
                    VectorIndex index = ((MvccShard) reopened).vectorIndex();
                    if (spec instanceof IndexSpec.Hnsw && impl == HnswImplementation.HNSWLIB) {
                        HnswVectorIndex graph = (HnswVectorIndex) index;
                        assertEquals(before.versions(), graph.nodeCount(), "graph loaded, not rebuilt");
                    } else if (spec instanceof IndexSpec.Hnsw) {
                        GraphVectorIndex graph = (GraphVectorIndex) index;
                        assertEquals(before.versions(), graph.nodeCount());
                        assertTrue(Files.exists(second.directory().resolve(MvccShard.LAYERED_GRAPH_FILE)));
                    }
                }
            }
        }
    }

    @Test
    void operationsAfterTheLastCheckpointAreDroppedAndReplayRestoresThem() {
        Random rnd = Seeds.random("replayAfterCheckpoint");
        List<Op> ops = randomOps(rnd, 300, 0);
        ModelShard atCheckpoint = new ModelShard(Metric.L2);
        apply(null, atCheckpoint, ops.subList(0, 150));
        ModelShard full = new ModelShard(Metric.L2);
        IndexSpec spec = IndexSpec.hnsw(16, 64, 32);
        try (Shard shard = Shard.open(config(dir, spec))) {
            apply(shard, full, ops.subList(0, 150));
            shard.checkpoint();
            apply(shard, full, ops.subList(150, 300));
            // no checkpoint: like a crash, the journal would replay from appliedSequences()
        }
        try (Shard shard = Shard.open(config(dir, spec))) {
            assertEquals(Map.of(1, ops.get(149).hlc()), shard.appliedSequences());
            ShardMvccPropertyTest.check(shard, atCheckpoint, rnd, ops.get(299).hlc(), Metric.L2, spec, 10);
            apply(shard, atCheckpoint, ops.subList(150, 300));
            ShardMvccPropertyTest.check(shard, full, rnd, ops.get(299).hlc(), Metric.L2, spec, 10);
        }
    }

    @Test
    void reopeningWithTheOtherHnswImplementationRebuildsTheGraphAndRecordsTheNewKind() throws Exception {
        Random rnd = Seeds.random("switchImplementation");
        ModelShard model = new ModelShard(Metric.L2);
        List<Op> ops = randomOps(rnd, 300, 0);
        long maxHlc = ops.get(ops.size() - 1).hlc();
        IndexSpec spec = IndexSpec.hnsw(16, 64, 32);
        long versions;
        try (Shard shard = Shard.open(config(dir, spec, HnswImplementation.HNSWLIB))) {
            apply(shard, model, ops);
            versions = shard.stats().versions();
            CheckpointInfo cp = shard.checkpoint();
            assertTrue(Files.exists(cp.directory().resolve(MvccShard.GRAPH_FILE)));
        }
        HnswImplementation[] order = {HnswImplementation.GRAPH, HnswImplementation.HNSWLIB, HnswImplementation.GRAPH};
        for (HnswImplementation impl : order) {
            try (Shard shard = Shard.open(config(dir, spec, impl))) {
                VectorIndex index = ((MvccShard) shard).vectorIndex();
                assertEquals(impl == HnswImplementation.GRAPH ? GraphVectorIndex.class : HnswVectorIndex.class,
                        index.getClass());
                assertEquals(versions, index.size(), "every stored version indexed again");
                ShardMvccPropertyTest.check(shard, model, rnd, maxHlc, Metric.L2, spec, 10);
                CheckpointInfo cp = shard.checkpoint();
                String file = impl == HnswImplementation.GRAPH ? MvccShard.LAYERED_GRAPH_FILE : MvccShard.GRAPH_FILE;
                String other = impl == HnswImplementation.GRAPH ? MvccShard.GRAPH_FILE : MvccShard.LAYERED_GRAPH_FILE;
                assertTrue(Files.exists(cp.directory().resolve(file)));
                assertFalse(Files.exists(cp.directory().resolve(other)));
                CheckpointStore.Manifest m = new CheckpointStore(dir.resolve("checkpoints")).readVerified(
                        Long.parseLong(cp.directory().getFileName().toString()));
                assertEquals(impl == HnswImplementation.GRAPH ? CheckpointStore.INDEX_GRAPH : CheckpointStore.INDEX_HNSW,
                        m.indexKind());
            }
        }
        // the same implementation again loads the graph instead of rebuilding it
        try (Shard shard = Shard.open(config(dir, spec, HnswImplementation.GRAPH))) {
            ShardMvccPropertyTest.check(shard, model, rnd, maxHlc, Metric.L2, spec, 5);
        }
        // exact vs HNSW stays a configuration error
        assertThrows(io.vecraft.api.InvalidArgumentException.class, () -> Shard.open(config(dir, IndexSpec.exact())));
    }

    @Test
    void partialCheckpointsAreIgnoredAndCleanedUp() throws Exception {
        try (Shard shard = Shard.open(config(dir, IndexSpec.hnsw()))) {
            shard.upsert("a", new float[] {1, 2, 3, 4}, Map.of(), null, new OpStamp(5, 1, 0, "r", 0));
            shard.markApplied(0, 1);
            shard.checkpoint();
            shard.upsert("b", new float[] {1, 2, 3, 4}, Map.of(), null, new OpStamp(6, 2, 0, "r", 0));
        }
        Path cps = dir.resolve("checkpoints");
        Files.createDirectories(cps.resolve("2.tmp"));
        Files.write(cps.resolve("2.tmp").resolve("versions.bin"), new byte[] {1, 2, 3});
        Files.createDirectories(cps.resolve("3"));
        Files.write(cps.resolve("3").resolve("versions.bin"), new byte[] {1, 2, 3});
        Files.write(cps.resolve("manifest-4.tmp"), new byte[] {9});
        try (Shard shard = Shard.open(config(dir, IndexSpec.hnsw()))) {
            assertTrue(shard.get("a", 10, Include.NONE).isPresent());
            assertFalse(shard.get("b", 10, Include.NONE).isPresent());
            assertEquals(Map.of(0, 1L), shard.appliedSequences());
            assertFalse(Files.exists(cps.resolve("2.tmp")));
            assertFalse(Files.exists(cps.resolve("3")));
            assertFalse(Files.exists(cps.resolve("manifest-4.tmp")));
            CheckpointInfo next = shard.checkpoint();
            assertEquals(cps.resolve("5"), next.directory(), "numbers are never reused");
        }
    }

    @Test
    void corruptNewestManifestOrCheckpointFileFallsBackToThePreviousCheckpoint() throws Exception {
        try (Shard shard = Shard.open(config(dir, IndexSpec.hnsw()))) {
            shard.upsert("a", new float[] {1, 2, 3, 4}, Map.of(), null, new OpStamp(5, 1, 0, "r", 0));
            shard.markApplied(0, 1);
            shard.checkpoint();
            shard.upsert("b", new float[] {1, 2, 3, 4}, Map.of(), null, new OpStamp(6, 2, 0, "r", 0));
            shard.markApplied(0, 2);
            shard.checkpoint();
            shard.upsert("c", new float[] {1, 2, 3, 4}, Map.of(), null, new OpStamp(7, 3, 0, "r", 0));
            shard.markApplied(0, 3);
            shard.checkpoint();
        }
        Path cps = dir.resolve("checkpoints");
        assertFalse(Files.exists(cps.resolve("manifest-1")), "only the newest two are kept");
        flip(cps.resolve("manifest-3"), 20);
        try (Shard shard = Shard.open(config(dir, IndexSpec.hnsw()))) {
            assertEquals(Map.of(0, 2L), shard.appliedSequences());
            assertTrue(shard.get("b", 10, Include.NONE).isPresent());
            assertFalse(shard.get("c", 10, Include.NONE).isPresent());
            shard.upsert("d", new float[] {1, 2, 3, 4}, Map.of(), null, new OpStamp(8, 3, 0, "r", 0));
            shard.markApplied(0, 3);
            shard.checkpoint(); // checkpoint 4
        }
        flip(cps.resolve("4").resolve("versions.bin"), 30);
        try (Shard shard = Shard.open(config(dir, IndexSpec.hnsw()))) {
            assertEquals(Map.of(0, 2L), shard.appliedSequences(), "checkpoint 4's file fails its CRC");
            assertFalse(shard.get("d", 10, Include.NONE).isPresent());
        }
    }

    /** @return the process's open file descriptors, -1 where /proc is not available */
    private static long openFileDescriptors() throws java.io.IOException {
        Path fd = Path.of("/proc/self/fd");
        if (!java.nio.file.Files.isDirectory(fd)) {
            return -1;
        }
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(fd)) {
            return s.count();
        }
    }

    @Test
    void noValidCheckpointIsAnErrorNamingTheManifest() throws Exception {
        try (Shard shard = Shard.open(config(dir, IndexSpec.exact()))) {
            shard.upsert("a", new float[] {1, 2, 3, 4}, Map.of(), null, new OpStamp(5, 1, 0, "r", 0));
            shard.checkpoint();
        }
        Path manifest = dir.resolve("checkpoints").resolve("manifest-1");
        flip(manifest, 40);
        CorruptedDataException e = assertThrows(CorruptedDataException.class, () -> Shard.open(config(dir, IndexSpec.exact())));
        assertEquals(manifest.toString(), e.location());
        assertTrue(e.position() >= 0);
    }

    @Test
    void corruptPayloadRecordOrVectorHeaderFailsOpenNamingFileAndOffset() throws Exception {
        try (Shard shard = Shard.open(config(dir, IndexSpec.hnsw()))) {
            for (int i = 0; i < 10; i++) {
                shard.upsert("id" + i, new float[] {i, 2, 3, 4}, Map.of("k", "value" + i), "doc",
                        new OpStamp(5 + i, i, 0, "r", 0));
            }
            shard.checkpoint();
        }
        Path payload = dir.resolve("payload.log");
        long third = 64;
        try (RandomAccessFile raf = new RandomAccessFile(payload.toFile(), "r")) {
            for (int i = 0; i < 2; i++) {
                raf.seek(third);
                int len = Integer.reverseBytes(raf.readInt());
                third += 8 + len;
            }
        }
        flip(payload, third + 30);
        CorruptedDataException e = assertThrows(CorruptedDataException.class, () -> Shard.open(config(dir, IndexSpec.hnsw())));
        assertEquals(payload.toString(), e.location());
        assertEquals(third, e.position());
        // a failed open releases what it opened (the id map restore had created): repeated attempts leak nothing
        long fds = openFileDescriptors();
        for (int i = 0; i < 5; i++) {
            assertThrows(CorruptedDataException.class, () -> Shard.open(config(dir, IndexSpec.hnsw())));
        }
        if (fds >= 0) {
            assertTrue(openFileDescriptors() <= fds + 1, "file descriptors after 5 failed opens: "
                    + openFileDescriptors() + ", before " + fds);
        }
        flip(payload, third + 30);
        Path vectors = dir.resolve("vectors.dat");
        flip(vectors, 12);
        CorruptedDataException v = assertThrows(CorruptedDataException.class, () -> Shard.open(config(dir, IndexSpec.hnsw())));
        assertEquals(vectors.toString(), v.location());
        flip(vectors, 12);
        try (Shard shard = Shard.open(config(dir, IndexSpec.hnsw()))) {
            assertEquals(10, shard.stats().liveRecords());
        }
    }

    @Test
    void corruptionWhileOpenIsReportedByReads() throws Exception {
        try (Shard shard = Shard.open(config(dir, IndexSpec.exact()))) {
            shard.upsert("a", new float[] {1, 2, 3, 4}, Map.of("k", "v"), "doc", new OpStamp(5, 1, 0, "r", 0));
            flip(dir.resolve("payload.log"), 64 + 8 + 5);
            CorruptedDataException e = assertThrows(CorruptedDataException.class, () -> shard.get("a", 10, Include.ALL));
            assertEquals(64, e.position());
            assertInstanceOf(CorruptedDataException.class, assertThrows(CorruptedDataException.class,
                    () -> shard.search(new ShardSearch(new float[] {1, 2, 3, 4}, 1, null, 10, 0, Include.NONE))));
        }
    }

    static void flip(Path file, long offset) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x21);
        }
    }
}
