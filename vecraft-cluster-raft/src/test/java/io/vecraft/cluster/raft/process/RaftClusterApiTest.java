package io.vecraft.cluster.raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.ClusterConfig;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Filter;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Record;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Vecraft;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The public API in cluster mode on the raft provider: three node processes, etcd, gRPC. */
@Timeout(240)
@ExtendWith(SharedClusterExtension.class)
class RaftClusterApiTest {
    @TempDir
    Path dir;

    static Vecraft open(Path dir, SharedCluster cluster) {
        ClusterConfig cc = ClusterConfig.of("raft");
        for (Map.Entry<String, String> e : cluster.local.clientSettings().entrySet()) {
            cc = cc.with(e.getKey(), e.getValue());
        }
        return Vecraft.builder(dir).withWaitTimeout(Duration.ofSeconds(60)).withCluster(cc.with("replicas", "2")).open();
    }

    @Test
    void theSameApiServesACollectionOnTheRaftCluster(SharedCluster cluster) {
        ReadOptions strong = ReadOptions.defaults().withConsistency(Consistency.STRONG);
        try (Vecraft db = open(dir, cluster)) {
            Collection c = db.createCollection(CollectionSpec.of("api", 2).withShards(2));
            c.upsert(Record.of("a", new float[] {1, 0}).withMetadata(Map.of("k", 1L)));
            c.upsert(List.of(Record.of("b", new float[] {0, 1}).withMetadata(Map.of("k", 2L)),
                    Record.of("c", new float[] {1, 1}).withMetadata(Map.of("k", 3L))));
            assertEquals(3, c.count());
            assertEquals(Map.of("k", 1L), c.get("a").orElseThrow().metadata());
            assertEquals("a", c.search(SearchRequest.of(new float[] {1, 0.1f}, 1)).hits().get(0).id());
            assertEquals(List.of("c"), c.search(SearchRequest.of(new float[] {1, 0.1f}, 3)
                    .withFilter(Filter.gte("k", 3L))).hits().stream().map(h -> h.id()).toList());
            c.delete("a");
            assertTrue(c.get("a", strong).isEmpty());
            assertEquals(2, c.history("a").size());
        }
        try (Vecraft db = open(dir.resolve("again"), cluster)) {
            Collection c = db.collection("api");
            assertEquals(2, c.count(strong), "a second client sees the collection and its records");
            db.dropCollection("api");
        }
    }

    /**
     * Found by review: a client whose catalog still held a dropped collection deleted the catalog key by name,
     * destroying the collection another client had created under that name since.
     */
    @Test
    void aStaleClientCannotDropAnotherClientsNewIncarnation(SharedCluster cluster) {
        ReadOptions strong = ReadOptions.defaults().withConsistency(Consistency.STRONG);
        try (Vecraft a = open(dir.resolve("a"), cluster)) {
            a.createCollection(CollectionSpec.of("reborn", 2).withShards(1));
            try (Vecraft b = open(dir.resolve("b"), cluster)) {
                assertEquals(0, b.collection("reborn").count(strong)); // b knows the first incarnation
                a.dropCollection("reborn");
                Collection again = a.createCollection(CollectionSpec.of("reborn", 2).withShards(1));
                again.upsert(Record.of("x", new float[] {1, 0}));
                io.vecraft.api.NotFoundException e = org.junit.jupiter.api.Assertions.assertThrows(
                        io.vecraft.api.NotFoundException.class, () -> b.dropCollection("reborn"));
                assertTrue(e.getMessage().contains("another client"), e.getMessage());
            }
            assertEquals(1, a.collection("reborn").count(strong), "the new incarnation survives");
            a.dropCollection("reborn");
        }
    }
}
