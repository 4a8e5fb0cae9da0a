package io.vecraft.cluster.raft.process;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.AckLevel;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.Vecraft;
import io.vecraft.api.WriteOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of the Raft leader of the partition a write load goes to: no acknowledged write is lost,
 * writes resume once a new leader is elected (the time is printed as {@code [measure]}), and the
 * killed node, restarted, ends with a journal identical to the others'.
 */
@Tag("cluster") // ~100-200 s on 2 cores: -Pcluster (the in-jvm provider's leader kill runs in the default suite)
@Timeout(300)
@ExtendWith(SharedClusterExtension.class)
class LeaderKillTest {
    @TempDir
    Path dir;

    @Test
    void killingAPartitionLeaderLosesNoAcknowledgedWriteAndWritesResume(SharedCluster cluster) throws Exception {
        try (Vecraft db = RaftClusterApiTest.open(dir, cluster)) {
            Collection c = db.createCollection(CollectionSpec.of("kill", 4));
            String partition = c.upsert(Record.of("first", new float[] {1, 1, 1, 1})).partition();
            Map<String, Long> acknowledged = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            AtomicLong lastAck = new AtomicLong();
            AtomicLong killMark = new AtomicLong(Long.MAX_VALUE);
            AtomicLong firstAfterKill = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
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
                            long now = System.nanoTime();
                            lastAck.set(now);
                            if (now - killMark.get() > 0) {
                                firstAfterKill.compareAndSet(0, now);
                            }
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }
                }, "writer-" + t);
                writers.add(th);
                th.start();
            }
            String leader;
            long killedAt;
            int before;
            try {
                Probes.await("100 acknowledged writes", () -> acknowledged.size() >= 100, Duration.ofSeconds(120));
                leader = cluster.client.leaderOf(partition).orElseThrow();
                before = acknowledged.size();
                killedAt = System.nanoTime();
                cluster.local.kill(leader);
                killMark.set(System.nanoTime()); // acknowledgements from now on come from the new leader
                Probes.await("a write acknowledged after the kill", () -> firstAfterKill.get() != 0, Duration.ofSeconds(60));
                long firstAfter = firstAfterKill.get();
                Probes.await("100 more acknowledged writes", () -> acknowledged.size() >= before + 100,
                        Duration.ofSeconds(120));
                System.out.printf("[measure] SIGKILL of %s (leader of %s): first write acknowledged %d ms later, 100 more "
                        + "within %d ms; write errors surfaced to callers: %d%n", leader, partition,
                        (firstAfter - killedAt) / 1_000_000, (System.nanoTime() - killedAt) / 1_000_000, errors.size());
            } finally {
                stop.set(true);
                for (Thread th : writers) {
                    th.join(60_000);
                }
            }
            assertTrue(errors.isEmpty(), "writes retried through the failover instead of failing: " + errors);
            assertNotEquals(leader, cluster.client.leaderOf(partition).orElse(leader), "a new leader was elected");
            ReadOptions strong = ReadOptions.defaults().withConsistency(Consistency.STRONG);
            for (String id : acknowledged.keySet()) {
                assertTrue(c.get(id, strong).isPresent(), "acknowledged write " + id + " survived the failover");
            }
            cluster.local.restart(leader);
            Receipt after = c.upsert(Record.of("after-restart", new float[] {9, 9, 9, 9}));
            assertTrue(c.get("after-restart", strong).isPresent() && after.sequence() > 0);
            Probes.awaitIdenticalJournals(cluster.client.spec(), Duration.ofSeconds(120));
            db.dropCollection("kill");
        }
    }
}
