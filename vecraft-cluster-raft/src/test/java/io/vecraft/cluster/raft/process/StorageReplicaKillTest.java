package io.vecraft.cluster.raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Vecraft;
import io.vecraft.cluster.spi.CatalogKeys;
import io.vecraft.cluster.spi.MetadataStore;
import io.vecraft.cluster.spi.ReplicaStatus;
import io.vecraft.cluster.spi.ShardId;
import io.vecraft.cluster.spi.ShardReplica;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of a storage node while searches and writes run: every search keeps answering (queries are
 * routed to the other replicas), and the killed replica, restarted, catches up from its last
 * applied journal position and serves the same records as the others.
 */
@Tag("cluster")
@Timeout(400)
@ExtendWith(SharedClusterExtension.class)
class StorageReplicaKillTest {
    @TempDir
    Path dir;

    @Test
    void searchesContinueWhileAReplicaIsDownAndItCatchesUpAfterRestart(SharedCluster cluster) throws Exception {
        try (Vecraft db = RaftClusterApiTest.open(dir, cluster)) {
            Collection c = db.createCollection(CollectionSpec.of("replica-kill", 4).withShards(2)
                    .withIndex(IndexSpec.exact()));
            Receipt last = null;
            for (int i = 0; i < 200; i++) {
                last = c.upsert(Record.of("r" + i, new float[] {i, 1, 0, 0}));
            }
            long uid = CatalogKeys.decodeCollection(CatalogKeys.collection("replica-kill"), cluster.client.metadata()
                    .get(CatalogKeys.collection("replica-kill")).map(MetadataStore.KeyValue::value).orElseThrow()).uid();
            // The node to kill: a replica of shard 0 that does not lead the shard's data partition.
            List<String> placed = CatalogKeys.decodePlacement("p", cluster.client.metadata()
                    .get(CatalogKeys.placement(new ShardId(uid, 0))).orElseThrow().value());
            String partition = last.partition();
            String victim = placed.stream().filter(n -> !n.equals(cluster.client.leaderOf(partition).orElse("")))
                    .findFirst().orElse(placed.get(0));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger searches = new AtomicInteger();
            AtomicLong slowest = new AtomicLong();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Thread searcher = new Thread(() -> {
                SearchRequest q = SearchRequest.of(new float[] {100, 1, 0, 0}, 5);
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    try {
                        assertEquals("r100", c.search(q).hits().get(0).id());
                        searches.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                    slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                }
            }, "searcher");
            searcher.start();
            try {
                Probes.await("searches before the kill", () -> searches.get() >= 20, Duration.ofSeconds(60));
                cluster.local.kill(victim);
                int before = searches.get();
                for (int i = 200; i < 400; i++) {
                    last = c.upsert(Record.of("r" + i, new float[] {i, 1, 0, 0}));
                }
                Probes.await("searches while " + victim + " is down", () -> searches.get() >= before + 50,
                        Duration.ofSeconds(120));
                System.out.printf("[measure] %d searches answered while storage node %s was down; slowest %d ms%n",
                        searches.get() - before, victim, slowest.get() / 1_000_000);
            } finally {
                stop.set(true);
                searcher.join(60_000);
            }
            assertTrue(failures.isEmpty(), "every search answered while a replica was down: " + failures);
            ReadOptions strong = ReadOptions.defaults().withConsistency(Consistency.STRONG);
            assertEquals(400, c.count(strong));

            long restartedAt = System.nanoTime();
            cluster.local.restart(victim);
            ShardReplica replica = cluster.client.replica(victim);
            long target = last.hlc();
            for (int s = 0; s < 2; s++) {
                ShardId shard = new ShardId(uid, s);
                if (!CatalogKeys.decodePlacement("p", cluster.client.metadata().get(CatalogKeys.placement(shard))
                        .orElseThrow().value()).contains(victim)) {
                    continue;
                }
                ReplicaStatus st = replica.awaitSafeTime(shard, target, Duration.ofSeconds(120));
                assertTrue(st.healthy() && st.safeHlc() >= target, "restarted replica caught up: " + st);
                long expected = 0;
                for (String other : cluster.client.storageNodes()) {
                    if (!other.equals(victim) && CatalogKeys.decodePlacement("p", cluster.client.metadata()
                            .get(CatalogKeys.placement(shard)).orElseThrow().value()).contains(other)) {
                        expected = cluster.client.replica(other).count(shard, target);
                    }
                }
                assertEquals(expected, replica.count(shard, target), "restarted replica holds the same records");
            }
            System.out.printf("[measure] storage node %s restarted and caught up in %d ms%n", victim,
                    (System.nanoTime() - restartedAt) / 1_000_000);
            Probes.awaitIdenticalJournals(cluster.client.spec(), Duration.ofSeconds(120));
            db.dropCollection("replica-kill");
        }
    }
}
