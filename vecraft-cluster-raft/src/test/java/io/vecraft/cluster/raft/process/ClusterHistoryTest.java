package io.vecraft.cluster.raft.process;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.AckLevel;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Consistency;
import io.vecraft.api.IndexSpec;
import io.vecraft.api.ReadOptions;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.Session;
import io.vecraft.api.Vecraft;
import io.vecraft.api.WriteOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A history check across nodes: two clients (each its own query processor, clock and connections)
 * run mixed upserts, deletes, transactions and reads against the three node processes while the
 * Raft leader of a data partition is SIGKILLed half-way. Every operation is recorded with its start
 * and end time; writes with their receipt HLC (the order the cluster gave them). The checker then
 * verifies, per consistency level:
 * <ul>
 *   <li>STRONG: a read returns the latest write of its key that completed before the read started,
 *       or a later one (by HLC), never an older one and never one that had not started when the read
 *       ended;</li>
 *   <li>READ_YOUR_WRITES: a read never misses a write of its own session that completed before it;</li>
 *   <li>snapshots (AS_OF): a group written only by transactions (two collections, several shards) is
 *       seen whole or not at all.</li>
 * </ul>
 * Seeded ({@code -Dvecraft.seed=<n>} replays the operation mix).
 */
@Tag("cluster")
@Timeout(600)
@ExtendWith(SharedClusterExtension.class)
class ClusterHistoryTest {
    private static final int KEYS = 12;
    private static final int GROUPS = 4;
    private static final String ABSENT = "-";

    @TempDir
    Path dir;

    /** A write: the tag (or ABSENT) it gave each "collection/id", its HLC (-1 if its outcome is unknown). */
    record Write(String tag, Map<String, String> values, long hlc, long start, long end, int thread) {
    }

    /** A single-key read. */
    record Read(String key, String value, long start, long end, int thread, boolean strong) {
    }

    @Test
    void strongAndReadYourWritesHoldAcrossNodesAndSnapshotsSeeWholeTransactions(SharedCluster cluster) throws Exception {
        long seed = Long.getLong("vecraft.seed", 20261126L);
        System.out.println("[seed] ClusterHistoryTest seed=" + seed + " (replay with -Dvecraft.seed=" + seed + ")");
        List<Write> writes = Collections.synchronizedList(new ArrayList<>());
        List<Read> reads = Collections.synchronizedList(new ArrayList<>());
        List<String> snapshotViolations = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        int[] snapshotChecks = new int[1];
        try (Vecraft a = RaftClusterApiTest.open(dir.resolve("a"), cluster)) {
            a.createCollection(CollectionSpec.of("h", 2).withShards(2).withIndex(IndexSpec.exact()));
            a.createCollection(CollectionSpec.of("g", 2).withIndex(IndexSpec.exact()));
            try (Vecraft b = RaftClusterApiTest.open(dir.resolve("b"), cluster)) {
                Vecraft[] clients = {a, b, a, b};
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < clients.length; t++) {
                    int thread = t;
                    Vecraft db = clients[t];
                    SplittableRandom rnd = new SplittableRandom(seed + t);
                    Thread th = new Thread(() -> {
                        Session session = db.newSession();
                        Collection h = db.collection("h");
                        Collection g = db.collection("g");
                        long lastHlc = 0;
                        for (int n = 0; !stop.get(); n++) {
                            int op = rnd.nextInt(10);
                            String key = "k" + rnd.nextInt(KEYS);
                            String tag = "t" + thread + "-" + n;
                            long start = System.nanoTime();
                            try {
                                if (op < 3) {
                                    WriteOptions o = WriteOptions.defaults().withSession(session).withAckLevel(
                                            rnd.nextBoolean() ? AckLevel.APPLIED : AckLevel.DURABLE);
                                    Receipt r = h.upsert(Record.of(key, new float[] {n, thread})
                                            .withMetadata(Map.of("v", tag)), o);
                                    writes.add(new Write(tag, Map.of("h/" + key, tag), r.hlc(), start, System.nanoTime(),
                                            thread));
                                    lastHlc = Math.max(lastHlc, r.hlc());
                                } else if (op < 4) {
                                    Receipt r = h.delete(List.of(key), WriteOptions.defaults().withSession(session));
                                    writes.add(new Write("del-" + tag, Map.of("h/" + key, ABSENT), r.hlc(), start,
                                            System.nanoTime(), thread));
                                } else if (op < 5) {
                                    int group = rnd.nextInt(GROUPS);
                                    Receipt r = db.transaction(tx -> tx
                                            .upsert("h", Record.of("g" + group + "a", new float[] {1, 0})
                                                    .withMetadata(Map.of("v", tag)))
                                            .upsert("h", Record.of("g" + group + "b", new float[] {0, 1})
                                                    .withMetadata(Map.of("v", tag)))
                                            .upsert("g", Record.of("g" + group + "c", new float[] {1, 1})
                                                    .withMetadata(Map.of("v", tag))), WriteOptions.defaults()
                                            .withSession(session));
                                    writes.add(new Write(tag, Map.of("h/g" + group + "a", tag, "h/g" + group + "b", tag,
                                            "g/g" + group + "c", tag), r.hlc(), start, System.nanoTime(), thread));
                                    lastHlc = Math.max(lastHlc, r.hlc());
                                } else if (op < 7) {
                                    Optional<Record> rec = h.get(key, ReadOptions.defaults()
                                            .withConsistency(Consistency.STRONG));
                                    reads.add(new Read("h/" + key, value(rec), start, System.nanoTime(), thread, true));
                                } else if (op < 9) {
                                    Optional<Record> rec = h.get(key, ReadOptions.defaults()
                                            .withConsistency(Consistency.readYourWrites(session)));
                                    reads.add(new Read("h/" + key, value(rec), start, System.nanoTime(), thread, false));
                                } else if (lastHlc > 0) {
                                    int group = rnd.nextInt(GROUPS);
                                    ReadOptions asOf = ReadOptions.defaults().asOf(lastHlc);
                                    String x = value(h.get("g" + group + "a", asOf));
                                    String y = value(h.get("g" + group + "b", asOf));
                                    String z = value(g.get("g" + group + "c", asOf));
                                    synchronized (snapshotChecks) {
                                        snapshotChecks[0]++;
                                    }
                                    if (!(x.equals(y) && y.equals(z))) {
                                        snapshotViolations.add("group " + group + " as of " + lastHlc + ": " + x + " " + y
                                                + " " + z);
                                    }
                                }
                            } catch (io.vecraft.api.VecraftException e) {
                                // A write whose outcome is unknown (failed after the failover's retries):
                                // it may or may not have happened. Reads may show it; nothing is required of it.
                                if (op < 5) {
                                    writes.add(new Write(op < 3 ? tag : op < 4 ? "del-" + tag : tag, Map.of(), -1, start,
                                            System.nanoTime(), thread));
                                }
                            } catch (Throwable e) {
                                failure.compareAndSet(null, e);
                                return;
                            }
                        }
                    }, "history-" + t);
                    threads.add(th);
                    th.start();
                }
                try {
                    Probes.await("history before the kill", () -> writes.size() >= 150, Duration.ofSeconds(180));
                    String victim = cluster.client.leaderOf("data-0").orElseThrow();
                    cluster.local.kill(victim);
                    int before = writes.size();
                    Probes.await("history after the kill", () -> writes.size() >= before + 150, Duration.ofSeconds(180));
                    stop.set(true);
                    for (Thread th : threads) {
                        th.join(TimeUnit.SECONDS.toMillis(120));
                    }
                    cluster.local.restart(victim);
                } finally {
                    stop.set(true);
                }
            }
            assertTrue(failure.get() == null, "a history thread failed: " + failure.get());
            List<String> violations = check(writes, reads);
            System.out.printf("[history] %d writes, %d reads (%d strong), %d snapshot group checks; violations: %d%n",
                    writes.size(), reads.size(), reads.stream().filter(Read::strong).count(), snapshotChecks[0],
                    violations.size() + snapshotViolations.size());
            assertTrue(snapshotViolations.isEmpty(), "snapshots saw part of a transaction: " + snapshotViolations);
            assertTrue(violations.isEmpty(), "history violations: " + violations.subList(0, Math.min(20,
                    violations.size())));
            a.dropCollection("h");
            a.dropCollection("g");
        }
        Probes.awaitIdenticalJournals(cluster.client.spec(), Duration.ofSeconds(120));
    }

    private static String value(Optional<Record> r) {
        return r.map(x -> String.valueOf(x.metadata().get("v"))).orElse(ABSENT);
    }

    /** @return every STRONG / READ_YOUR_WRITES rule the history breaks */
    static List<String> check(List<Write> writes, List<Read> reads) {
        Map<String, Write> byTag = new HashMap<>();
        Map<String, List<Write>> byKey = new HashMap<>();
        for (Write w : writes) {
            byTag.put(w.tag(), w);
            for (String key : w.values().keySet()) {
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(w);
            }
        }
        List<String> out = new ArrayList<>();
        for (Read r : reads) {
            // The latest (by HLC) write of the key that completed before the read started; for
            // READ_YOUR_WRITES only the reader's own writes count.
            Write floor = null;
            for (Write w : byKey.getOrDefault(r.key(), List.of())) {
                if (w.hlc() >= 0 && w.end() < r.start() && (r.strong() || w.thread() == r.thread())
                        && (floor == null || w.hlc() > floor.hlc())) {
                    floor = w;
                }
            }
            String level = r.strong() ? "STRONG" : "READ_YOUR_WRITES";
            if (r.value().equals(ABSENT)) {
                if (floor != null && !floor.values().get(r.key()).equals(ABSENT)) {
                    // Absent is fine only if some delete at or after the floor had started by the read's end.
                    Write f = floor;
                    boolean deleted = byKey.get(r.key()).stream().anyMatch(w -> ABSENT.equals(w.values().get(r.key()))
                            && w.start() < r.end() && (w.hlc() < 0 || w.hlc() >= f.hlc()));
                    if (!deleted) {
                        out.add(level + " read of " + r.key() + " saw nothing after write " + floor.tag() + " completed");
                    }
                }
                continue;
            }
            Write seen = byTag.get(r.value());
            if (seen == null) {
                // A value whose write failed before it was recorded (outcome unknown): nothing to check.
                continue;
            }
            if (seen.start() > r.end()) {
                out.add(level + " read of " + r.key() + " saw " + seen.tag() + " which started after the read ended");
            }
            if (floor != null && seen.hlc() >= 0 && seen.hlc() < floor.hlc()) {
                out.add(level + " read of " + r.key() + " saw " + seen.tag() + " older than completed write "
                        + floor.tag());
            }
        }
        return out;
    }
}
