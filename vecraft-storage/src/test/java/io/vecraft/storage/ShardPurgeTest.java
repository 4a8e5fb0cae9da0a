package io.vecraft.storage;

import io.vecraft.api.IndexSpec;
import io.vecraft.api.Metric;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardPurgeTest {

    @TempDir
    Path dir;

    static ShardConfig config(Path dir, int keep, HnswImplementation impl) {
        return ShardConfig.builder(dir, 2, Metric.L2).withIndex(IndexSpec.hnsw(8, 32, 16)).withHnswImplementation(impl)
                .withInitialCapacity(16)
                .withCheckpointsToKeep(keep).withVectorChunkBytes(64 << 10).withPayloadChunkBytes(64 << 10).build();
    }

    static OpStamp at(long hlc) {
        return new OpStamp(hlc, hlc, 0, "r", 0);
    }

    @ParameterizedTest
    @EnumSource(HnswImplementation.class)
    void purgeRemovesVersionsDeletedBeforeTheHorizonFromEveryIndex(HnswImplementation impl) {
        try (MvccShard s = (MvccShard) Shard.open(config(dir, 2, impl))) {
            s.upsert("a", new float[] {0, 0}, Map.of("c", "x"), null, at(10));
            s.upsert("a", new float[] {1, 0}, Map.of("c", "y"), null, at(20)); // a@10 deleted at 20
            s.upsert("b", new float[] {5, 5}, Map.of("c", "x"), null, at(30));
            s.delete("b", at(40));                                           // b@30 deleted at 40
            s.upsert("c", new float[] {9, 9}, Map.of("c", "x"), null, at(50));
            assertEquals(4, s.stats().versions());
            assertEquals(2, s.purge(45));
            assertEquals(2, s.stats().versions());
            assertEquals(0, s.stats().tombstones());
            assertEquals(0, s.purge(45), "idempotent");
            // reads at or after the horizon are unchanged
            assertEquals(20, s.get("a", 45, Include.NONE).orElseThrow().createdHlc());
            assertFalse(s.get("b", 45, Include.NONE).isPresent());
            // purged versions are gone from as-of reads, history, the id map and the filters
            assertFalse(s.get("a", 15, Include.NONE).isPresent());
            assertFalse(s.get("b", 35, Include.NONE).isPresent());
            assertEquals(1, s.history("a").size());
            assertEquals(List.of(), s.history("b"));
            List<ShardHit> xs = s.search(new ShardSearch(new float[] {0, 0}, 10, io.vecraft.api.Filter.eq("c", "x"), 35,
                    0, Include.NONE));
            assertEquals(List.of(), xs, "a@10 and b@30 were purged; c is not yet visible at 35");
            assertEquals(List.of("c"), s.search(new ShardSearch(new float[] {0, 0}, 10, io.vecraft.api.Filter.eq("c", "x"),
                    60, 0, Include.NONE)).stream().map(ShardHit::id).toList());
        }
    }

    @ParameterizedTest
    @EnumSource(HnswImplementation.class)
    void freedSlotsAreReusedOnlyOnceNoRetainedCheckpointReferencesThem(HnswImplementation impl) {
        try (MvccShard s = (MvccShard) Shard.open(config(dir, 2, impl))) {
            for (int i = 0; i < 10; i++) {
                s.upsert("id" + i, new float[] {i, i}, Map.of(), null, at(10 + i));
            }
            s.checkpoint();                       // 1 references ordinals 0..9
            for (int i = 0; i < 5; i++) {
                s.delete("id" + i, at(100 + i));
            }
            assertEquals(5, s.purge(200));
            assertEquals(0, s.reusableOrdinals());
            s.upsert("new1", new float[] {7, 7}, Map.of(), null, at(300));
            assertEquals(6, s.stats().versions());
            assertEquals(0, s.reusableOrdinals(), "new1 took a fresh ordinal: the slots are still referenced");
            s.checkpoint();                       // 2: checkpoint 1 is still kept and references the slots
            assertEquals(0, s.reusableOrdinals());
            s.checkpoint();                       // 3: keeps {2, 3}; neither references them
            assertEquals(5, s.reusableOrdinals());
            s.upsert("new2", new float[] {8, 8}, Map.of(), null, at(400));
            assertEquals(4, s.reusableOrdinals(), "new2 reused a freed slot");
            assertArrayEquals(new float[] {8, 8}, s.get("new2", 400, Include.ALL).orElseThrow().vector());
            assertEquals("new2", s.search(new ShardSearch(new float[] {8, 8}, 1, null, 400, 0, Include.NONE)).get(0).id());
            s.checkpoint();
        }
        try (MvccShard s = (MvccShard) Shard.open(config(dir, 2, impl))) {
            assertEquals(4, s.reusableOrdinals());
            assertArrayEquals(new float[] {8, 8}, s.get("new2", 400, Include.ALL).orElseThrow().vector());
            assertArrayEquals(new float[] {7, 7}, s.get("new1", 400, Include.ALL).orElseThrow().vector());
            for (int i = 5; i < 10; i++) {
                assertTrue(s.get("id" + i, 400, Include.NONE).isPresent());
            }
            assertEquals(7, s.count(400));
        }
    }
}
