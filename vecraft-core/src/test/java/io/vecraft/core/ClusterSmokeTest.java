package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.ClusterConfig;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Durability;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Record;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Vecraft;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSmokeTest {
    @TempDir
    Path dir;

    @Test
    void clusterModeServesTheSameApi() {
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC)
                .withCluster(ClusterConfig.of("in-jvm")).open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", 2).withShards(2));
            c.upsert(Record.of("a", new float[] {1, 0}).withMetadata(Map.of("k", 1)));
            c.upsert(List.of(Record.of("b", new float[] {0, 1}), Record.of("c", new float[] {1, 1})));
            assertEquals(3, c.count());
            assertEquals(Map.of("k", 1L), c.get("a").orElseThrow().metadata());
            assertEquals("a", c.search(SearchRequest.of(new float[] {1, 0.1f}, 1)).hits().get(0).id());
            c.delete("a");
            assertTrue(c.get("a", ReadOptions.defaults().withConsistency(Consistency.STRONG)).isEmpty());
            assertEquals(2, c.history("a").size());
        }
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC)
                .withCluster(ClusterConfig.of("in-jvm")).open()) {
            Collection c = db.collection("c");
            assertEquals(2, c.count(ReadOptions.defaults().withConsistency(Consistency.STRONG)));
        }
    }

    /** Regression: in cluster mode the audit stream used to end at once (it bounded itself by what this process had read). */
    @Test
    void theAuditStreamReadsTheClusterJournal() {
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC)
                .withCluster(ClusterConfig.of("in-jvm")).open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", 2));
            long from = c.upsert(Record.of("a", new float[] {1, 0})).hlc();
            c.upsert(Record.of("b", new float[] {0, 1}));
            c.delete("a");
            java.util.List<String> seen = new java.util.ArrayList<>();
            try (var cursor = db.journal().readFromHlc(from)) {
                cursor.forEachRemaining(r -> r.operations().forEach(op -> seen.add(op.getClass().getSimpleName())));
            }
            assertEquals(List.of("Upsert", "Upsert", "Delete"), seen);
        }
    }
}
