package io.vecraft.storage;

import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.Metric;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.api.VecraftIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardBasicsTest {

    @TempDir
    Path dir;

    static OpStamp stamp(long hlc) {
        return new OpStamp(hlc, hlc, 0, "req-" + hlc, 0);
    }

    static ShardConfig config(Path dir, int dim, Metric metric, IndexSpec index) {
        return ShardConfig.builder(dir, dim, metric).withIndex(index).withInitialCapacity(64)
                .withVectorChunkBytes(64 << 10).withPayloadChunkBytes(64 << 10).build();
    }

    @Test
    void upsertIsVisibleFromItsHlcAndSupersededVersionUntilTheNext() {
        try (Shard s = Shard.open(config(dir, 2, Metric.L2, IndexSpec.hnsw()))) {
            s.upsert("a", new float[] {1, 0}, Map.of("n", 1L), "first", stamp(10));
            s.upsert("a", new float[] {0, 1}, Map.of("n", 2L), "second", stamp(20));
            assertTrue(s.get("a", 9, Include.ALL).isEmpty());
            StoredVersion v1 = s.get("a", 15, Include.ALL).orElseThrow();
            assertEquals(10, v1.createdHlc());
            assertEquals(20, v1.deletedHlc());
            assertArrayEquals(new float[] {1, 0}, v1.vector());
            assertEquals(Map.of("n", 1L), v1.metadata());
            assertEquals("first", v1.document());
            StoredVersion v2 = s.get("a", 20, Include.ALL).orElseThrow();
            assertEquals(Long.MAX_VALUE, v2.deletedHlc());
            assertEquals("second", v2.document());
            assertEquals("req-20", v2.requestId());
            StoredVersion bare = s.get("a", 25, Include.NONE).orElseThrow();
            assertNull(bare.vector());
            assertNull(bare.metadata());
            assertEquals(1, s.count(25));
            assertEquals(1, s.count(15));
            assertEquals(0, s.count(5));
        }
    }

    @Test
    void deleteHidesTheRecordFromItsHlcAndHistoryListsEveryOperation() {
        try (Shard s = Shard.open(config(dir, 2, Metric.L2, IndexSpec.exact()))) {
            s.upsert("a", new float[] {1, 0}, Map.of(), null, stamp(10));
            assertTrue(s.delete("a", new OpStamp(20, 21, 3, "del", 7)));
            assertFalse(s.delete("a", stamp(30)), "already deleted");
            assertFalse(s.delete("nope", stamp(31)));
            s.upsert("a", new float[] {0, 1}, Map.of(), "back", stamp(40));
            assertTrue(s.get("a", 25, Include.NONE).isEmpty());
            assertTrue(s.get("a", 19, Include.NONE).isPresent());
            assertEquals("back", s.get("a", 40, Include.ALL).orElseThrow().document());
            List<StoredVersion> h = s.history("a");
            assertEquals(3, h.size());
            assertEquals(StoredVersion.Op.UPSERT, h.get(0).op());
            assertEquals(StoredVersion.Op.DELETE, h.get(1).op());
            assertEquals(20, h.get(1).createdHlc());
            assertEquals(21, h.get(1).sequence());
            assertEquals(3, h.get(1).partitionId());
            assertEquals("del", h.get(1).requestId());
            assertEquals(7, h.get(1).transactionId());
            assertEquals(StoredVersion.Op.UPSERT, h.get(2).op());
            assertArrayEquals(new float[] {0, 1}, h.get(2).vector());
            assertEquals(List.of(), s.history("nope"));
            ShardStats st = s.stats();
            assertEquals(1, st.liveRecords());
            assertEquals(2, st.versions());
            assertEquals(1, st.tombstones());
        }
    }

    @Test
    void searchReturnsVisibleVersionsNearestFirstWithRequestedFields() {
        try (Shard s = Shard.open(config(dir, 2, Metric.L2, IndexSpec.hnsw()))) {
            for (int i = 0; i < 20; i++) {
                s.upsert("r" + i, new float[] {i, 0}, Map.of("i", (long) i), "doc " + i, stamp(100 + i));
            }
            s.upsert("r0", new float[] {100, 0}, Map.of("i", 0L), "moved", stamp(200));
            List<ShardHit> now = s.search(new ShardSearch(new float[] {0, 0}, 3, null, 300, 0, Include.ALL));
            assertEquals(List.of("r1", "r2", "r3"), now.stream().map(ShardHit::id).toList());
            assertEquals(1f, now.get(0).distance(), 1e-6);
            assertEquals(Map.of("i", 1L), now.get(0).metadata());
            assertEquals("doc 1", now.get(0).document());
            assertArrayEquals(new float[] {1, 0}, now.get(0).vector());
            List<ShardHit> before = s.search(new ShardSearch(new float[] {0, 0}, 3, null, 150, 0, Include.NONE));
            assertEquals(List.of("r0", "r1", "r2"), before.stream().map(ShardHit::id).toList());
            assertNull(before.get(0).metadata());
            List<ShardHit> early = s.search(new ShardSearch(new float[] {0, 0}, 50, null, 101, 0, Include.NONE));
            assertEquals(2, early.size(), "exactly the visible versions when fewer than k");
            List<ShardHit> filtered = s.search(new ShardSearch(new float[] {0, 0}, 2, Filter.gte("i", 15), 300, 0,
                    Include.NONE));
            assertEquals(List.of("r15", "r16"), filtered.stream().map(ShardHit::id).toList());
        }
    }

    @Test
    void cosineNormalisesOnceAndDotNegatesTheInnerProduct() {
        try (Shard s = Shard.open(config(dir.resolve("c"), 2, Metric.COSINE, IndexSpec.exact()))) {
            s.upsert("x", new float[] {10, 0}, Map.of(), null, stamp(1));
            s.upsert("y", new float[] {1, 1}, Map.of(), null, stamp(2));
            List<ShardHit> hits = s.search(new ShardSearch(new float[] {3, 0}, 2, null, 5, 0, Include.ALL));
            assertEquals("x", hits.get(0).id());
            assertEquals(0f, hits.get(0).distance(), 1e-6);
            assertArrayEquals(new float[] {1, 0}, hits.get(0).vector(), 1e-6f);
            assertEquals(1 - Math.sqrt(0.5), hits.get(1).distance(), 1e-6);
            assertThrows(InvalidArgumentException.class, () -> s.upsert("z", new float[] {0, 0}, Map.of(), null, stamp(3)));
            assertThrows(InvalidArgumentException.class,
                    () -> s.search(new ShardSearch(new float[] {0, 0}, 1, null, 5, 0, Include.NONE)));
        }
        try (Shard s = Shard.open(config(dir.resolve("d"), 2, Metric.DOT, IndexSpec.hnsw()))) {
            s.upsert("x", new float[] {1, 2}, Map.of(), null, stamp(1));
            s.upsert("y", new float[] {3, 3}, Map.of(), null, stamp(2));
            List<ShardHit> hits = s.search(new ShardSearch(new float[] {1, 1}, 2, null, 5, 0, Include.NONE));
            assertEquals("y", hits.get(0).id());
            assertEquals(-6f, hits.get(0).distance(), 1e-6);
            assertEquals(-3f, hits.get(1).distance(), 1e-6);
        }
    }

    @Test
    void badInputIsRejectedAndNothingIsWritten() {
        try (Shard s = Shard.open(config(dir, 3, Metric.L2, IndexSpec.hnsw()))) {
            InvalidArgumentException dim = assertThrows(InvalidArgumentException.class,
                    () -> s.upsert("a", new float[] {1, 2}, Map.of(), null, stamp(1)));
            assertEquals("vector", dim.field());
            InvalidArgumentException nan = assertThrows(InvalidArgumentException.class,
                    () -> s.upsert("a", new float[] {1, Float.NaN, 2}, Map.of(), null, stamp(1)));
            assertEquals("vector[1]", nan.field());
            assertThrows(InvalidArgumentException.class,
                    () -> s.upsert("a", new float[] {1, Float.POSITIVE_INFINITY, 2}, Map.of(), null, stamp(1)));
            assertThrows(InvalidArgumentException.class,
                    () -> s.upsert("a", new float[] {1, 2, 3}, Map.of("k", new Object()), null, stamp(1)));
            assertThrows(InvalidArgumentException.class, () -> s.upsert("", new float[] {1, 2, 3}, Map.of(), null, stamp(1)));
            assertThrows(InvalidArgumentException.class,
                    () -> s.upsert("a", new float[] {1, 2, 3}, Map.of(), null, stamp(Long.MAX_VALUE)));
            assertThrows(InvalidArgumentException.class,
                    () -> s.search(new ShardSearch(new float[] {1, 2}, 1, null, 5, 0, Include.NONE)));
            assertThrows(InvalidArgumentException.class,
                    () -> s.search(new ShardSearch(new float[] {1, 2, 3}, 0, null, 5, 0, Include.NONE)));
            assertEquals(0, s.stats().versions());
            assertEquals(Optional.empty(), s.get("a", Long.MAX_VALUE - 1, Include.NONE));
            s.upsert("a", new float[] {1, 2, 3}, Map.of(), null, stamp(1));
            assertEquals(1, s.stats().versions(), "the shard still works after rejected input");
            // Long.MAX_VALUE marks a live version's deletion time: a read "at" it would see nothing (it did)
            assertEquals("asOfHlc", assertThrows(InvalidArgumentException.class,
                    () -> s.get("a", Long.MAX_VALUE, Include.NONE)).field());
            assertEquals("asOfHlc", assertThrows(InvalidArgumentException.class, () -> s.count(Long.MAX_VALUE)).field());
            assertEquals("search.asOfHlc", assertThrows(InvalidArgumentException.class, () -> s.search(
                    new ShardSearch(new float[] {1, 2, 3}, 1, null, Long.MAX_VALUE, 0, Include.NONE))).field());
            assertEquals("asOfHlc", assertThrows(InvalidArgumentException.class, () -> s.count(-1)).field());
            assertEquals(1, s.count(Long.MAX_VALUE - 1), "the latest valid time sees the live record");
        }
    }

    @Test
    void secondOpenOfTheSameDirectoryFailsAndClosedShardRejectsUse() {
        Shard s = Shard.open(config(dir, 2, Metric.L2, IndexSpec.hnsw()));
        VecraftIOException locked = assertThrows(VecraftIOException.class,
                () -> Shard.open(config(dir, 2, Metric.L2, IndexSpec.hnsw())));
        assertTrue(locked.getMessage().contains(dir.toString()), locked.getMessage());
        s.close();
        s.close();
        assertThrows(VecraftClosedException.class, () -> s.upsert("a", new float[] {1, 2}, Map.of(), null, stamp(1)));
        assertThrows(VecraftClosedException.class, () -> s.get("a", 1, Include.NONE));
        assertThrows(VecraftClosedException.class,
                () -> s.search(new ShardSearch(new float[] {1, 2}, 1, null, 5, 0, Include.NONE)));
        try (Shard again = Shard.open(config(dir, 2, Metric.L2, IndexSpec.hnsw()))) {
            assertEquals(0, again.stats().versions(), "nothing was checkpointed");
        }
    }

    @Test
    void reopeningWithAnotherDimensionOrMetricIsRejected() {
        try (Shard s = Shard.open(config(dir, 2, Metric.L2, IndexSpec.hnsw()))) {
            s.upsert("a", new float[] {1, 2}, Map.of(), null, stamp(1));
            s.checkpoint();
        }
        InvalidArgumentException dim = assertThrows(InvalidArgumentException.class,
                () -> Shard.open(config(dir, 3, Metric.L2, IndexSpec.hnsw())));
        assertEquals("config.dimension", dim.field());
        InvalidArgumentException metric = assertThrows(InvalidArgumentException.class,
                () -> Shard.open(config(dir, 2, Metric.DOT, IndexSpec.hnsw())));
        assertEquals("config.metric", metric.field());
        InvalidArgumentException index = assertThrows(InvalidArgumentException.class,
                () -> Shard.open(config(dir, 2, Metric.L2, IndexSpec.exact())));
        assertEquals("config.index", index.field());
        try (Shard s = Shard.open(config(dir, 2, Metric.L2, IndexSpec.hnsw()))) {
            assertTrue(s.get("a", 5, Include.NONE).isPresent(), "failed opens left the shard intact");
        }
    }
}
