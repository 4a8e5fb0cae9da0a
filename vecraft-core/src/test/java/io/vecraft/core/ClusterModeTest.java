package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.AckLevel;
import io.vecraft.api.ClusterConfig;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.Durability;
import io.vecraft.api.Filter;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.RecordVersion;
import io.vecraft.api.SearchHit;
import io.vecraft.api.SearchRequest;
import io.vecraft.api.Session;
import io.vecraft.api.Vecraft;
import io.vecraft.api.WriteOptions;
import io.vecraft.core.cluster.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode through the public API on the in-JVM provider: same results as embedded mode,
 * failover of replicas and journal leaders, consistency across replicas.
 */
class ClusterModeTest {
    @TempDir
    Path dir;

    private static Vecraft cluster(Path dir, String... settings) {
        ClusterConfig cc = ClusterConfig.of("in-jvm");
        for (int i = 0; i < settings.length; i += 2) {
            cc = cc.with(settings[i], settings[i + 1]);
        }
        return Vecraft.builder(dir).withDurability(Durability.ASYNC).withWaitTimeout(Duration.ofSeconds(30))
                .withCluster(cc).open();
    }

    private static InJvmCluster inJvm(Vecraft db) {
        return (InJvmCluster) ((ClusterVecraft) db).cluster();
    }

    /** A seeded workload; returns everything observable, keyed for comparison. */
    private static Map<String, Object> runWorkload(Vecraft db, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Collection a = db.createCollection(CollectionSpec.of("a", 8).withShards(3).withIndex(IndexSpec.exact()));
        Collection b = db.createCollection(CollectionSpec.of("b", 8).withShards(2).withIndex(IndexSpec.exact()));
        for (int i = 0; i < 300; i++) {
            int kind = rnd.nextInt(10);
            String id = "id" + rnd.nextInt(80);
            Record r = Record.of(id, TestVectors.random(rnd, 8)).withMetadata(Map.of("n", (long) i, "even", i % 2 == 0))
                    .withDocument("doc " + i);
            WriteOptions opts = WriteOptions.defaults().withRequestId("req-" + i);
            if (kind < 5) {
                a.upsert(r, opts);
            } else if (kind < 6) {
                a.delete(List.of(id), opts);
            } else if (kind < 8) {
                List<Record> batch = new ArrayList<>();
                for (int j = 0; j < 4; j++) {
                    batch.add(Record.of("id" + rnd.nextInt(80), TestVectors.random(rnd, 8)).withMetadata(Map.of("n", (long) i)));
                }
                b.upsert(batch, opts);
            } else {
                String other = "id" + rnd.nextInt(80);
                db.transaction(tx -> tx.upsert("a", r).upsert("b", r).delete("b", other), opts);
            }
        }
        Map<String, Object> s = new TreeMap<>();
        ReadOptions strong = ReadOptions.defaults().withConsistency(Consistency.STRONG);
        for (Collection c : List.of(a, b)) {
            s.put("count:" + c.name(), c.count(strong));
            for (int i = 0; i < 80; i++) {
                String id = "id" + i;
                s.put("get:" + c.name() + ":" + id, c.get(id, strong).map(x -> x + java.util.Arrays.toString(x.vector()))
                        .orElse("absent"));
                s.put("history:" + c.name() + ":" + id, c.history(id).stream()
                        .map(v -> v.operation() + "/" + v.requestId() + "/" + v.isCurrent()).toList().toString());
            }
            SplittableRandom q = new SplittableRandom(7);
            for (int i = 0; i < 10; i++) {
                float[] vec = TestVectors.random(q, 8);
                s.put("search:" + c.name() + ":" + i, c.search(SearchRequest.of(vec, 10).withConsistency(Consistency.STRONG))
                        .hits().stream().map(h -> h.id() + "@" + h.distance()).toList());
                s.put("filtered:" + c.name() + ":" + i, c.search(SearchRequest.of(vec, 10).withFilter(Filter.eq("even", true))
                        .withConsistency(Consistency.STRONG)).hits().stream().map(SearchHit::id).toList());
            }
        }
        return s;
    }

    @Test
    void embeddedAndClusterModeGiveIdenticalResultsOnTheSameSeededWorkload() {
        long seed = Long.getLong("vecraft.seed", 20261126L);
        System.out.println("[seed] ClusterModeTest.identical seed=" + seed);
        Map<String, Object> embedded;
        try (Vecraft db = Vecraft.builder(dir.resolve("embedded")).withDurability(Durability.ASYNC).open()) {
            embedded = runWorkload(db, seed);
        }
        Map<String, Object> clustered;
        try (Vecraft db = cluster(dir.resolve("cluster"))) {
            clustered = runWorkload(db, seed);
        }
        assertEquals(embedded.keySet(), clustered.keySet());
        for (String k : embedded.keySet()) {
            assertEquals(embedded.get(k), clustered.get(k), k);
        }
    }

    @Test
    void killingAReplicaKeepsQueriesRunningAndARestartedReplicaCatchesUp() throws Exception {
        try (Vecraft db = cluster(dir, "storageNodes", "3", "replicas", "2")) {
            InJvmCluster cluster = inJvm(db);
            Collection c = db.createCollection(CollectionSpec.of("c", 4).withShards(2).withIndex(IndexSpec.exact()));
            for (int i = 0; i < 50; i++) {
                c.upsert(Record.of("r" + i, new float[] {i, 0, 0, 0}));
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger searches = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        List<SearchHit> hits = c.search(SearchRequest.of(new float[] {0, 0, 0, 0}, 5)).hits();
                        if (hits.size() != 5) {
                            errors.add(new AssertionError("expected 5 hits, got " + hits.size()));
                        }
                        searches.incrementAndGet();
                    } catch (Throwable t) {
                        errors.add(t);
                    }
                }
            }, "reader");
            reader.start();
            // placement: replica r of shard s on storage-((s + r) mod 3): storage-0 holds shard 0
            cluster.kill("storage-0");
            int before = searches.get();
            for (int i = 50; i < 100; i++) {
                c.upsert(Record.of("r" + i, new float[] {i, 0, 0, 0}));
            }
            Await.until(() -> searches.get() >= before + 50, Duration.ofSeconds(20));
            stop.set(true);
            reader.join();
            assertTrue(errors.isEmpty(), "searches failed while a replica was down: " + errors.peek());
            assertTrue(searches.get() >= before + 50, "searches kept running: " + searches.get());
            assertEquals(100, c.count(ReadOptions.defaults().withConsistency(Consistency.STRONG)));

            cluster.restart("storage-0");
            Receipt last = c.upsert(Record.of("after-restart", new float[] {1, 1, 1, 1}));
            var replica = cluster.replica("storage-0");
            for (int s = 0; s < 1; s++) {
                var shard = new io.vecraft.cluster.spi.ShardId(((ClusterVecraft) db).runtime("c").uid(), s);
                var status = replica.awaitSafeTime(shard, last.hlc(), Duration.ofSeconds(20));
                assertTrue(status.safeHlc() >= last.hlc(), "restarted replica caught up: " + status);
                assertEquals(((ClusterVecraft) db).runtime("c").shard(s).count(last.hlc()),
                        replica.count(shard, last.hlc()), "restarted replica has the same records, shard " + s);
            }
        }
    }

    @Test
    void killingThePartitionLeaderElectsAnotherWithoutLosingAcknowledgedWrites() throws Exception {
        try (Vecraft db = cluster(dir, "journalNodes", "3")) {
            InJvmCluster cluster = inJvm(db);
            Collection c = db.createCollection(CollectionSpec.of("c", 4).withShards(2));
            Map<String, Long> acknowledged = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int w = t;
                Thread th = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String id = "w" + w + "-" + i;
                        try {
                            Receipt r = c.upsert(Record.of(id, new float[] {w, i, 0, 1}),
                                    WriteOptions.defaults().withAckLevel(AckLevel.DURABLE));
                            acknowledged.put(id, r.hlc());
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }
                }, "writer-" + t);
                writers.add(th);
                th.start();
            }
            Await.until(() -> acknowledged.size() >= 100, Duration.ofSeconds(20));
            String leader = cluster.leaderOf("data-0").orElseThrow();
            ConcurrentLinkedQueue<io.vecraft.cluster.spi.Membership.MembershipEvent> events = new ConcurrentLinkedQueue<>();
            AutoCloseable subscription = cluster.membership().onChange(events::add);
            long t0 = System.nanoTime();
            int before = acknowledged.size();
            cluster.kill(leader);
            Await.until(() -> acknowledged.size() >= before + 100, Duration.ofSeconds(20));
            long resumedMs = (System.nanoTime() - t0) / 1_000_000;
            stop.set(true);
            for (Thread th : writers) {
                th.join();
            }
            System.out.println("[failover] leader " + leader + " killed; " + (acknowledged.size() - before)
                    + " more writes acknowledged within " + resumedMs + " ms; new leader "
                    + cluster.leaderOf("data-0").orElse("none") + "; write errors during failover: " + errors.size());
            assertTrue(acknowledged.size() >= before + 100, "writes resumed after the leader died");
            subscription.close();
            assertTrue(events.stream().anyMatch(e -> e.type() == io.vecraft.cluster.spi.Membership.MembershipEvent.Type
                    .NODE_DOWN && e.nodeId().equals(leader)), "membership reported the node down: " + events);
            assertTrue(events.stream().anyMatch(e -> e.type() == io.vecraft.cluster.spi.Membership.MembershipEvent.Type
                    .LEADER_CHANGED && e.partition().equals("data-0")), "membership reported the new leader: " + events);
            assertTrue(cluster.leaderOf("data-0").isPresent() && !cluster.leaderOf("data-0").get().equals(leader));
            ReadOptions strong = ReadOptions.defaults().withConsistency(Consistency.STRONG);
            for (String id : acknowledged.keySet()) {
                assertTrue(c.get(id, strong).isPresent(), "acknowledged write " + id + " survived the failover");
            }
            // the killed node comes back as a follower and catches up
            cluster.restart(leader);
            Receipt r = c.upsert(Record.of("after", new float[] {9, 9, 9, 9}));
            assertTrue(c.get("after", strong).isPresent());
            assertTrue(r.sequence() > 0);
        }
    }

    @Test
    void strongAndReadYourWritesHoldAcrossReplicas() {
        try (Vecraft db = cluster(dir, "storageNodes", "3", "replicas", "3")) {
            InJvmCluster cluster = inJvm(db);
            Collection c = db.createCollection(CollectionSpec.of("c", 2).withShards(2));
            Session session = db.newSession();
            // slow down one replica's node so reads land on different replicas over time
            cluster.faults().delay("storage-1", Duration.ofMillis(2));
            for (int i = 0; i < 100; i++) {
                WriteOptions durable = WriteOptions.defaults().withAckLevel(AckLevel.DURABLE).withSession(session);
                c.upsert(Record.of("k" + (i % 10), new float[] {i, 1}).withMetadata(Map.of("v", (long) i)), durable);
                Record strong = c.get("k" + (i % 10), ReadOptions.defaults().withConsistency(Consistency.STRONG))
                        .orElseThrow();
                assertEquals((long) i, strong.metadata().get("v"), "STRONG read after write #" + i);
                Record ryw = c.get("k" + (i % 10), ReadOptions.defaults()
                        .withConsistency(Consistency.readYourWrites(session))).orElseThrow();
                assertEquals((long) i, ryw.metadata().get("v"), "READ_YOUR_WRITES after write #" + i);
            }
            cluster.faults().delay("storage-1", Duration.ZERO);
            List<RecordVersion> h = c.history("k3");
            assertEquals(10, h.size());
        }
    }

    @Test
    void anIsolatedLeaderLosesItsPartitionsAndConvergesAfterHealing() {
        try (Vecraft db = cluster(dir, "journalNodes", "3", "storageNodes", "2", "replicas", "2")) {
            InJvmCluster cluster = inJvm(db);
            Collection c = db.createCollection(CollectionSpec.of("c", 2).withShards(1));
            for (int i = 0; i < 20; i++) {
                c.upsert(Record.of("before" + i, new float[] {i, 0}));
            }
            String leader = cluster.leaderOf("tx").orElseThrow();
            cluster.isolate(leader);
            assertTrue(Await.until(() -> cluster.leaderOf("tx").filter(l -> !l.equals(leader)).isPresent(),
                    Duration.ofSeconds(10)), "the majority elected a new leader");
            for (int i = 0; i < 20; i++) {
                c.upsert(List.of(Record.of("during" + i, new float[] {i, 1})));
            }
            db.transaction(tx -> tx.upsert("c", Record.of("tx-during", new float[] {5, 5})));
            cluster.heal(leader);
            assertTrue(Await.until(() -> cluster.coordinator().isAlive(leader), Duration.ofSeconds(10)));
            Receipt last = db.transaction(tx -> tx.upsert("c", Record.of("tx-after", new float[] {6, 6})));
            ReadOptions strong = ReadOptions.defaults().withConsistency(Consistency.STRONG);
            assertEquals(42, c.count(strong));
            String newLeader = cluster.leaderOf("tx").orElseThrow();
            assertTrue(Await.until(() -> cluster.journalHead(leader, "tx") == cluster.journalHead(newLeader, "tx"),
                    Duration.ofSeconds(10)), "the healed node caught up with the new leader's log");
            assertTrue(cluster.journalHead(leader, "tx") >= last.sequence());
        }
    }

    @Test
    void queriesSurviveAStorageNodeThatDropsMessages() {
        try (Vecraft db = cluster(dir, "storageNodes", "2", "replicas", "2")) {
            InJvmCluster cluster = inJvm(db);
            Collection c = db.createCollection(CollectionSpec.of("c", 2).withShards(2).withIndex(IndexSpec.exact()));
            for (int i = 0; i < 30; i++) {
                c.upsert(Record.of("r" + i, new float[] {i, 0}));
            }
            cluster.faults().dropRate("storage-0", 0.5);
            for (int i = 0; i < 100; i++) {
                assertEquals(5, c.search(SearchRequest.of(new float[] {0, 0}, 5)).size(), "search #" + i);
            }
            cluster.faults().dropRate("storage-0", 0);
        }
    }
}
